import type { CheckContext, TestAgent } from "../core/context.js";
import { ensure, expectStatus, SkipCheck } from "../core/expect.js";
import type { Json } from "../core/http.js";

/** Why every events check is skipped on a server without the preview feed. */
export const UNSERVED =
  "the server does not serve GET /api/events (a preview extension of 0.4.0; it answered 404 route_not_found)";

/** One long-poll as `agent`; a 404 `route_not_found` skips the check (the feed is a preview). */
export async function poll(
  ctx: CheckContext,
  agent: TestAgent,
  query: { cursor?: string; wait?: number; limit?: number } = {},
): Promise<{ data: Json[]; next_cursor: string; ms: number }> {
  const t0 = performance.now();
  const res = await ctx.req({ method: "GET", path: "/api/events", auth: agent.token, query });
  const ms = performance.now() - t0;
  if (res.status === 404 && res.errorCode === "route_not_found") throw new SkipCheck(UNSERVED);
  expectStatus(res, 200, "GET /api/events");
  ensure(typeof res.json.next_cursor === "string", "next_cursor is a string", res);
  return { data: res.json.data, next_cursor: res.json.next_cursor, ms };
}

/** Every event after `cursor`, paging with `limit` until an empty page; with each page's cursor. */
export async function drain(
  ctx: CheckContext,
  agent: TestAgent,
  cursor: string,
  limit = 100,
): Promise<{ events: Json[]; cursors: string[]; end: string }> {
  const events: Json[] = [];
  const cursors: string[] = [];
  let at = cursor;
  for (let i = 0; i < 100; i++) {
    const page = await poll(ctx, agent, { cursor: at, limit });
    if (page.data.length === 0) return { events, cursors, end: at };
    events.push(...page.data);
    cursors.push(page.next_cursor);
    at = page.next_cursor;
  }
  throw new Error("the feed did not end after 100 pages");
}

/** `type:message-id` (or `type:agent_id` for member events) of each event, for comparisons. */
export const keys = (events: Json[]): string[] =>
  events.map((e) => `${e.type}:${e.data?.id ?? e.data?.agent_id ?? ""}`);
