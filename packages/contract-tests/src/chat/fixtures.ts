import type { CheckContext, TestAgent } from "../core/context.js";
import { expectStatus } from "../core/expect.js";
import type { Json } from "../core/http.js";

/** Creates a group owned by `owner` with `members` (raw request, so a refusal fails the check clearly). */
export async function createGroup(
  ctx: CheckContext,
  owner: TestAgent,
  members: TestAgent[] = [],
  title = "contract group",
): Promise<Json> {
  const res = await ctx.req({
    method: "POST",
    path: "/api/conversations",
    auth: owner.token,
    body: { type: "group", title, member_ids: members.map((m) => m.id) },
  });
  expectStatus(res, 201, "creating a group");
  return res.json;
}

/** Opens (or gets) the direct conversation between two agents. */
export async function openDirect(ctx: CheckContext, from: TestAgent, to: TestAgent): Promise<Json> {
  const res = await ctx.req({
    method: "POST",
    path: "/api/conversations",
    auth: from.token,
    body: { type: "direct", agent_id: to.id },
  });
  expectStatus(res, [200, 201], "opening a direct conversation");
  return res.json;
}

/** Sends a message through the SDK helper (dogfooding) and returns it. */
export async function send(
  agent: TestAgent,
  conversationId: string,
  content: string,
): Promise<Json> {
  return agent.client.messages.send(conversationId, { content });
}

/** Sends `count` messages `m0…` and returns them in send order. */
export async function sendMany(
  agent: TestAgent,
  conversationId: string,
  count: number,
): Promise<Json[]> {
  const out: Json[] = [];
  for (let i = 0; i < count; i++) out.push(await send(agent, conversationId, `m${i}`));
  return out;
}

/** Ids of a list response's data. */
export const ids = (rows: Array<{ id: string }>): string[] => rows.map((r) => r.id);
