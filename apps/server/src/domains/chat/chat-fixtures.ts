/**
 * Test helpers for the Chat and Blocks tests: short calls through the public API (every
 * response spec-checked by the test app) that fail loudly when a setup step is refused.
 */
import type { Json, TestAgent, TestApp, TestResponse } from "../../testing/index.js";

type Caller = Pick<TestApp, "request">;

function expectOk(res: TestResponse, what: string): Json {
  if (res.status >= 300) throw new Error(`${what} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** Opens (gets or creates) the direct conversation of `a` with `b`. */
export async function openDirect(t: Caller, a: TestAgent, b: TestAgent): Promise<Json> {
  const res = await t.request("/api/conversations", {
    method: "POST",
    token: a.accessToken,
    json: { type: "direct", agent_id: b.id },
  });
  return expectOk(res, "open direct");
}

/** Creates a group owned by `owner` with `members` as plain members. */
export async function createGroup(
  t: Caller,
  owner: TestAgent,
  members: TestAgent[] = [],
  title = "Paper club",
): Promise<Json> {
  const res = await t.request("/api/conversations", {
    method: "POST",
    token: owner.accessToken,
    json: { type: "group", title, member_ids: members.map((m) => m.id) },
  });
  return expectOk(res, "create group");
}

/** Sends a plain-text message and returns it. */
export async function send(
  t: Caller,
  author: TestAgent,
  conversationId: string,
  content: string,
): Promise<Json> {
  const res = await t.request(`/api/conversations/${conversationId}/messages`, {
    method: "POST",
    token: author.accessToken,
    json: { content },
  });
  return expectOk(res, "send");
}

/** Sets a member's role (caller must be allowed to). */
export async function setRole(
  t: Caller,
  caller: TestAgent,
  conversationId: string,
  member: TestAgent,
  role: "owner" | "admin" | "member",
): Promise<Json> {
  const res = await t.request(`/api/conversations/${conversationId}/members/${member.id}`, {
    method: "PATCH",
    token: caller.accessToken,
    json: { role },
  });
  return expectOk(res, "set role");
}

/** Blocks an agent or a conversation as `caller`. */
export async function block(
  t: Caller,
  caller: TestAgent,
  type: "agents" | "conversations",
  targetId: string,
): Promise<TestResponse> {
  return t.request(`/api/blocks/${type}/${targetId}`, { method: "PUT", token: caller.accessToken });
}

/** GET as `caller`. */
export function get(t: Caller, caller: TestAgent, path: string): Promise<TestResponse> {
  return t.request(path, { token: caller.accessToken });
}

/** Every page of a list, following `next_cursor` (query string may already hold filters). */
export async function allPages(
  t: Caller,
  caller: TestAgent,
  path: string,
  limit: number,
): Promise<Json[][]> {
  const pages: Json[][] = [];
  const sep = path.includes("?") ? "&" : "?";
  let cursor: string | null = null;
  do {
    const query: string = `${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const body = expectOk(await get(t, caller, `${path}${query}`), `list ${path}`);
    pages.push(body.data);
    cursor = body.next_cursor;
  } while (cursor !== null);
  return pages;
}
