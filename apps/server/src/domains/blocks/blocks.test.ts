import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestApp,
  type Json,
  registerAgent,
  type TestAgent,
  type TestApp,
} from "../../testing/index.js";
import { allPages, block, createGroup, get, openDirect, send } from "../chat/chat-fixtures.js";

let t: TestApp;
beforeAll(() => {
  t = createTestApp();
});
afterAll(() => t.close());

const unblock = (caller: TestAgent, type: "agents" | "conversations", id: string) =>
  t.request(`/api/blocks/${type}/${id}`, { method: "DELETE", token: caller.accessToken });
const post = (caller: TestAgent, path: string, json: unknown) =>
  t.request(path, { method: "POST", token: caller.accessToken, json });

describe("blocking agents", () => {
  it("is idempotent (201 then 200 with the same block) and lists newest first", async () => {
    const [me, a, b] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
    const first = await block(t, me, "agents", a.id);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ type: "agent", target_id: a.id });
    const again = await block(t, me, "agents", a.id);
    expect([again.status, again.body]).toEqual([200, first.body]);
    t.clock.advance(1000);
    await block(t, me, "agents", b.id);
    const dm = await openDirect(t, me, await registerAgent(t));
    t.clock.advance(1000);
    await block(t, me, "conversations", dm.id);
    const pages = await allPages(t, me, "/api/blocks", 2);
    expect(pages.flat().map((x: Json) => x.target_id)).toEqual([dm.id, b.id, a.id]);
    const agentsOnly = await get(t, me, "/api/blocks?type=agent");
    expect(agentsOnly.body.data.map((x: Json) => x.target_id)).toEqual([b.id, a.id]);
    expect((await get(t, me, "/api/blocks?type=room")).status).toBe(422);
  });

  it("refuses yourself (422) and unknown agents (404); unblock is idempotent (204)", async () => {
    const me = await registerAgent(t);
    const self = await block(t, me, "agents", me.id);
    expect([self.status, self.body.error.code]).toEqual([422, "validation_failed"]);
    expect((await block(t, me, "agents", `agt_${"3".repeat(26)}`)).status).toBe(404);
    const other = await registerAgent(t);
    expect((await unblock(me, "agents", other.id)).status).toBe(204);
    await block(t, me, "agents", other.id);
    expect((await unblock(me, "agents", other.id)).status).toBe(204);
    expect((await get(t, me, "/api/blocks")).body.data).toEqual([]);
  });

  it("stops direct opens and sends both ways with `blocked`, stored nothing, and never says who", async () => {
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    await block(t, a, "agents", b.id);
    const answers: Json[] = [];
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const open = await post(from, "/api/conversations", { type: "direct", agent_id: to.id });
      const msg = await post(from, `/api/conversations/${dm.id}/messages`, { content: "hi" });
      expect([open.status, msg.status]).toEqual([403, 403]);
      answers.push(open.body.error.code, open.body.error.message, msg.body.error.message);
    }
    expect(answers[0]).toBe("blocked");
    expect(answers[1]).toBe(answers[4]); // same words from either side
    expect(answers[2]).toBe(answers[5]);
    expect((await get(t, a, `/api/conversations/${dm.id}/messages`)).body.data).toEqual([]);
    // A pair with no conversation yet: the refused open stores nothing.
    const c = await registerAgent(t);
    await block(t, c, "agents", a.id);
    const refused = await post(a, "/api/conversations", { type: "direct", agent_id: c.id });
    expect(refused.status).toBe(403);
    expect((await get(t, c, "/api/conversations")).body.data).toEqual([]);
    await unblock(a, "agents", b.id);
    expect((await post(b, `/api/conversations/${dm.id}/messages`, { content: "ok" })).status).toBe(
      201,
    );
  });

  it("stops the blocked agent adding the blocker to a group, and hides and uncounts their messages", async () => {
    const [a, b, c] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
    await block(t, a, "agents", b.id);
    const g = await createGroup(t, b, [c]);
    const add = await post(b, `/api/conversations/${g.id}/members`, { agent_id: a.id });
    expect([add.status, add.body.error.code]).toEqual([403, "blocked"]);
    const shared = await createGroup(t, c, [a, b]);
    const hidden = await send(t, b, shared.id, "from b");
    const visible = await send(t, c, shared.id, "from c");
    const list = await get(t, a, `/api/conversations/${shared.id}/messages`);
    expect(list.body.data.map((m: Json) => m.id)).toEqual([visible.id]);
    const conv = await get(t, a, `/api/conversations/${shared.id}`);
    expect(conv.body).toMatchObject({ unread_count: 1, last_message: { id: visible.id } });
    expect((await get(t, a, `/api/conversations/${shared.id}/messages/${hidden.id}`)).status).toBe(
      404,
    );
    // The blocked side still sees everything.
    const bView = await get(t, b, `/api/conversations/${shared.id}/messages`);
    expect(bView.body.data).toHaveLength(2);
  });
});

describe("blocking conversations", () => {
  it("a group: the caller leaves, it disappears, and nobody can add them back until unblocked", async () => {
    const [owner, me] = [await registerAgent(t), await registerAgent(t)];
    const g = await createGroup(t, owner, [me]);
    const res = await block(t, me, "conversations", g.id);
    expect([res.status, res.body.type, res.body.target_id]).toEqual([201, "conversation", g.id]);
    expect((await block(t, me, "conversations", g.id)).status).toBe(200);
    expect((await get(t, me, `/api/conversations/${g.id}`)).status).toBe(404);
    expect((await get(t, me, "/api/conversations")).body.data).toEqual([]);
    expect((await get(t, owner, `/api/conversations/${g.id}`)).body.member_count).toBe(1);
    const add = await post(owner, `/api/conversations/${g.id}/members`, { agent_id: me.id });
    expect([add.status, add.body.error.code]).toEqual([403, "blocked"]);
    expect((await unblock(me, "conversations", g.id)).status).toBe(204);
    expect((await get(t, me, `/api/conversations/${g.id}`)).status).toBe(404); // not rejoined
    expect(
      (await post(owner, `/api/conversations/${g.id}/members`, { agent_id: me.id })).status,
    ).toBe(201);
  });

  it("a group's sole owner with others cannot block it (409 last_owner)", async () => {
    const [owner, other] = [await registerAgent(t), await registerAgent(t)];
    const g = await createGroup(t, owner, [other]);
    const res = await block(t, owner, "conversations", g.id);
    expect([res.status, res.body.error.code]).toEqual([409, "last_owner"]);
  });

  it("a direct conversation: hidden from the blocker's list, neither side sends, both learn only `blocked`", async () => {
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    await send(t, b, dm.id, "before");
    expect((await block(t, a, "conversations", dm.id)).status).toBe(201);
    expect((await get(t, a, "/api/conversations")).body.data).toEqual([]);
    expect((await get(t, b, "/api/conversations")).body.data.map((c: Json) => c.id)).toEqual([
      dm.id,
    ]);
    expect((await get(t, a, `/api/conversations/${dm.id}`)).body.unread_count).toBe(0);
    for (const who of [a, b]) {
      const res = await post(who, `/api/conversations/${dm.id}/messages`, { content: "x" });
      expect([res.status, res.body.error.code]).toEqual([403, "blocked"]);
    }
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const reopen = await post(from, "/api/conversations", { type: "direct", agent_id: to.id });
      expect([reopen.status, reopen.body.error.code]).toEqual([403, "blocked"]);
    }
    await unblock(a, "conversations", dm.id);
    expect((await send(t, a, dm.id, "back")).content).toBe("back");
    expect((await get(t, a, "/api/conversations")).body.data).toHaveLength(1);
  });

  it("answers 404 for conversations the caller is not in; unblock is idempotent", async () => {
    const [a, b, stranger] = [
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
    ];
    const dm = await openDirect(t, a, b);
    expect((await block(t, stranger, "conversations", dm.id)).status).toBe(404);
    expect((await block(t, a, "conversations", `cnv_${"4".repeat(26)}`)).status).toBe(404);
    expect((await unblock(stranger, "conversations", dm.id)).status).toBe(204);
    expect((await get(t, stranger, "/api/blocks")).body.data).toEqual([]);
  });
});
