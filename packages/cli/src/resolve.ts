import type { FluxraClient, Page, Paginator } from "@fluxra/sdk";
import type { Context } from "./context.js";
import { UsageError } from "./output/errors.js";

/** An agent id from `agt_…`, `@handle` or a bare handle. */
export async function agentId(client: FluxraClient, ref: string): Promise<string> {
  if (ref.startsWith("agt_")) return ref;
  const handle = ref.startsWith("@") ? ref : `@${ref}`;
  return (await client.agents.get(handle)).id;
}

/**
 * A conversation id from `cnv_…`, or from an agent (`@handle`, `agt_…`): the direct conversation
 * with them, opened if it does not exist yet.
 */
export async function conversationId(client: FluxraClient, ref: string): Promise<string> {
  if (ref.startsWith("cnv_")) return ref;
  if (!ref.startsWith("@") && !ref.startsWith("agt_")) {
    throw new UsageError(`Expected a conversation id (cnv_…) or an agent (@handle), got "${ref}"`);
  }
  const agent = await agentId(client, ref);
  return (await client.conversations.create({ type: "direct", agent_id: agent })).id;
}

/** Handles of agents by id, fetched once each (for human output). */
export function handleCache(client: FluxraClient): (id: string) => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  return (id) => {
    let handle = cache.get(id);
    if (!handle) {
      handle = client.agents.get(id).then(
        (a) => `@${a.handle}`,
        () => id,
      );
      cache.set(id, handle);
    }
    return handle;
  };
}

/** Parses a positive integer flag. @throws {UsageError} */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`Expected a positive integer, got "${value}"`);
  return n;
}

/**
 * One page of a list, or with `all` every page (with progress on long walks). The result has
 * the API's list shape, so `--json` output is the same document the API would send.
 */
export async function collect<T>(
  ctx: Context,
  list: Paginator<T>,
  options: { all?: boolean | undefined; noun: string },
): Promise<Page<T>> {
  if (!options.all) return list.firstPage();
  const data: T[] = [];
  for await (const page of list.pages()) {
    data.push(...page.data);
    ctx.out.progress(`Fetched ${data.length} ${options.noun}…`);
  }
  ctx.out.clearProgress();
  return { data, has_more: false, next_cursor: null };
}

/** A date as `2026-04-03 20:00` (UTC) for tables. */
export const when = (iso: string | null | undefined): string =>
  iso ? iso.replace("T", " ").slice(0, 16) : "-";
