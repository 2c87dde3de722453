import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { testBackend } from "../../storage/postgres/test-store.js";
import {
  createTestApp,
  getToken,
  registerAgent,
  type TestAgent,
  type TestApp,
} from "../../testing/index.js";
import { createGroup, send } from "./chat-fixtures.js";

// On PostgreSQL the message list and send check the caller's session inside a statement they make
// anyway (platform/guard.ts `foldSession`): the rate counter's upsert when rate limits are on,
// else the list's access read or the send batch. Revocation must stay exactly as immediate as
// with the guard's own session read, and a send from a dead session must write nothing. On
// SQLite the same tests run the guard's path.
const folded = testBackend === "postgres";

let t: TestApp;
let alice: TestAgent;
let bob: TestAgent;
let group: string;
let getSession: ReturnType<typeof vi.spyOn>;

const setUp = (rateLimits: boolean) => async () => {
  t = createTestApp({ config: { rateLimits: { enabled: rateLimits } } });
  alice = await registerAgent(t, { handle: "alice" });
  bob = await registerAgent(t, { handle: "bob" });
  group = (await createGroup(t, alice, [bob])).id;
  await send(t, bob, group, "first");
  getSession = vi.spyOn(t.store.auth, "getSession");
};
afterEach(async () => {
  getSession.mockRestore();
  await t.close();
});

const list = (token: string, query = "") =>
  t.request(`/api/conversations/${group}/messages${query}`, { token });
const post = (token: string, json: unknown, headers: Record<string, string> = {}) =>
  t.request(`/api/conversations/${group}/messages`, { method: "POST", token, json, headers });
/** The group's messages as bob (a live session) sees them. */
const contents = async (): Promise<string[]> =>
  (await list(bob.accessToken)).body.data.map((m: { content: string }) => m.content);

/** Revokes `agent`'s first session from a second one. */
async function revoke(agent: TestAgent): Promise<void> {
  const other = await getToken(t, agent.apiKey);
  const res = await t.request(`/api/auth/sessions/${agent.sessionId}`, {
    method: "DELETE",
    token: other.accessToken,
  });
  expect(res.status).toBe(204);
}

describe.each([
  ["off", false],
  ["on", true],
])("the session check folded into list and send, rate limits %s", (_, rateLimits) => {
  beforeEach(setUp(rateLimits));
  it("serves a live session without the guard's own session read (PostgreSQL)", async () => {
    expect((await list(alice.accessToken)).status).toBe(200);
    expect((await post(alice.accessToken, { content: "hi" })).status).toBe(201);
    expect(getSession).toHaveBeenCalledTimes(folded ? 0 : 2);
  });

  it("refuses a list from a session revoked since the previous request", async () => {
    expect((await list(alice.accessToken)).status).toBe(200);
    await revoke(alice);
    getSession.mockClear();
    const res = await list(alice.accessToken);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("session_revoked");
    // On PostgreSQL the page's own statement refused it.
    if (folded) expect(getSession).not.toHaveBeenCalled();
  });

  it("refuses a send from a session revoked since the previous request, writing nothing", async () => {
    expect((await post(alice.accessToken, { content: "before" })).status).toBe(201);
    await revoke(alice);
    getSession.mockClear();
    const res = await post(alice.accessToken, { content: "after" });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("session_revoked");
    if (folded) expect(getSession).not.toHaveBeenCalled();
    expect(await contents()).toEqual(["before", "first"]);
    // The seq the refused send did not take is the next one's: no gap.
    const next = await post(bob.accessToken, { content: "next" });
    expect(next.body.seq).toBe(3);
  });

  it("refuses a deactivated agent's list and send, writing nothing", async () => {
    expect((await list(alice.accessToken)).status).toBe(200);
    const gone = await t.request("/api/agents/me", {
      method: "DELETE",
      token: alice.recoveryKey,
    });
    expect(gone.status).toBe(204);
    for (const res of [
      await list(alice.accessToken),
      await post(alice.accessToken, { content: "x" }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("session_revoked");
    }
    expect(await contents()).toEqual(["first"]);
  });

  it("refuses a dead session among live sends of the same batch, and only it", async () => {
    await revoke(alice);
    const sends = await Promise.all([
      post(bob.accessToken, { content: "b1" }),
      post(alice.accessToken, { content: "dead" }),
      post(bob.accessToken, { content: "b2" }),
    ]);
    expect(sends.map((r) => r.status)).toEqual([201, 401, 201]);
    expect(sends.map((r) => r.body.seq ?? null).sort()).toEqual([2, 3, null]);
    expect((await contents()).sort()).toEqual(["b1", "b2", "first"]);
  });

  it("answers 401, not what else the request got, when no store statement checked the session", async () => {
    await revoke(alice);
    // Refused before the store: validation, an unknown anchor, an Idempotency-Key.
    const invalid = await post(alice.accessToken, { content: 5 });
    const anchor = await list(alice.accessToken, "?before=msg_00000000000000000000000000");
    const keyed = await post(alice.accessToken, { content: "k" }, { "Idempotency-Key": "k-1" });
    for (const res of [invalid, anchor, keyed]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("session_revoked");
    }
    expect(await contents()).toEqual(["first"]);
  });

  it("refuses another agent's session id and a forged token as before", async () => {
    const forged = `${alice.accessToken.slice(0, -4)}AAAA`;
    const res = await list(forged);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_credentials");
  });
});

describe("a dead session's requests on the folded path, rate limits on", () => {
  it("count against the client address, never against the agent's limit", async () => {
    t = createTestApp({
      config: { rateLimits: { enabled: true, rules: { write: { limit: 50, windowSeconds: 60 } } } },
    });
    getSession = vi.spyOn(t.store.auth, "getSession");
    alice = await registerAgent(t, { handle: "alice" });
    bob = await registerAgent(t, { handle: "bob" });
    group = (await createGroup(t, alice, [bob])).id;
    await revoke(alice);
    const live = (await getToken(t, alice.apiKey)).accessToken;
    const remaining = async () => {
      const res = await post(live, { content: "live" });
      expect(res.status).toBe(201);
      return Number(res.headers.get("ratelimit-remaining"));
    };
    const before = await remaining();
    for (let i = 0; i < 5; i++) {
      const res = await post(alice.accessToken, { content: `dead ${i}` });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("session_revoked");
    }
    // Alice's write limit lost only the live send itself.
    expect(await remaining()).toBe(before - 1);
  });
});
