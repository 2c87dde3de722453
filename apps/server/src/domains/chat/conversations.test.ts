import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestApp,
  type Json,
  registerAgent,
  type TestAgent,
  type TestApp,
} from "../../testing/index.js";
import { allPages, block, createGroup, get, openDirect, send } from "./chat-fixtures.js";

let t: TestApp;
let alice: TestAgent;
let bob: TestAgent;
let carol: TestAgent;

beforeAll(async () => {
  t = createTestApp();
  [alice, bob, carol] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
});
afterAll(() => t.close());

const post = (caller: TestAgent, json: unknown) =>
  t.request("/api/conversations", { method: "POST", token: caller.accessToken, json });

describe("direct conversations (get-or-create)", () => {
  it("creates once (201) and then returns the same one from either side (200)", async () => {
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const first = await post(a, { type: "direct", agent_id: b.id });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      type: "direct",
      title: null,
      description: null,
      created_by: a.id,
      member_count: 2,
      role: "member",
      unread_count: 0,
      last_message: null,
      last_message_at: null,
      last_read_message_id: null,
      skipped: [],
    });
    const again = await post(a, { type: "direct", agent_id: b.id });
    const reverse = await post(b, { type: "direct", agent_id: a.id });
    expect([again.status, reverse.status]).toEqual([200, 200]);
    expect(again.body.id).toBe(first.body.id);
    expect(reverse.body.id).toBe(first.body.id);
  });

  it("refuses yourself (422), an unknown agent (404) and a deactivated one (422)", async () => {
    const self = await post(alice, { type: "direct", agent_id: alice.id });
    expect(self.status).toBe(422);
    expect(self.body.error.details[0].path).toBe("body.agent_id");
    const unknown = await post(alice, { type: "direct", agent_id: `agt_${"0".repeat(26)}` });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
    const gone = await registerAgent(t);
    const off = await t.request("/api/agents/me", { method: "DELETE", token: gone.recoveryKey });
    expect(off.status).toBe(204);
    const deactivated = await post(alice, { type: "direct", agent_id: gone.id });
    expect(deactivated.status).toBe(422);
    expect(deactivated.body.error.code).toBe("validation_failed");
  });

  it("rejects malformed bodies with 422 and unknown fields", async () => {
    for (const json of [
      { type: "direct" },
      { type: "direct", agent_id: "bob" },
      { type: "direct", agent_id: bob.id, title: "x" },
      { type: "channel", agent_id: bob.id },
      { type: "group", title: "" },
      { type: "group", title: "x".repeat(101) },
      { type: "group", title: "ok", member_ids: Array.from({ length: 100 }, () => bob.id) },
    ]) {
      const res = await post(alice, json);
      expect(res.status, JSON.stringify(json)).toBe(422);
      expect(res.body.error.code).toBe("validation_failed");
    }
  });
});

describe("groups", () => {
  it("makes the caller owner, adds invitees, ignores self and duplicates", async () => {
    const res = await post(alice, {
      type: "group",
      title: "Paper club",
      description: "Weekly",
      member_ids: [bob.id, bob.id, alice.id, carol.id],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: "group",
      title: "Paper club",
      description: "Weekly",
      role: "owner",
      member_count: 3,
      skipped: [],
    });
    const asBob = await get(t, bob, `/api/conversations/${res.body.id}`);
    expect(asBob.body.role).toBe("member");
  });

  it("refuses unknown or deactivated invitees with details naming them", async () => {
    const gone = await registerAgent(t);
    await t.request("/api/agents/me", { method: "DELETE", token: gone.recoveryKey });
    const res = await post(alice, {
      type: "group",
      title: "x",
      member_ids: [bob.id, `agt_${"1".repeat(26)}`, gone.id],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      "body.member_ids.1",
      "body.member_ids.2",
    ]);
  });

  it("skips invitees in a block with the caller, either way", async () => {
    const [o, blocker, blocked, fine] = [
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
    ];
    expect((await block(t, blocker, "agents", o.id)).status).toBe(201);
    expect((await block(t, o, "agents", blocked.id)).status).toBe(201);
    const res = await post(o, {
      type: "group",
      title: "x",
      member_ids: [blocker.id, blocked.id, fine.id],
    });
    expect(res.status).toBe(201);
    expect(res.body.skipped.sort()).toEqual([blocker.id, blocked.id].sort());
    expect(res.body.member_count).toBe(2);
    expect((await get(t, blocker, `/api/conversations/${res.body.id}`)).status).toBe(404);
  });

  it("updates title/description for owner and admin only; direct → 422", async () => {
    const g = await createGroup(t, alice, [bob]);
    const path = `/api/conversations/${g.id}`;
    const byMember = await t.request(path, {
      method: "PATCH",
      token: bob.accessToken,
      json: { title: "Mine" },
    });
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe("forbidden");
    t.clock.advance(1000);
    const byOwner = await t.request(path, {
      method: "PATCH",
      token: alice.accessToken,
      json: { title: "Renamed", description: null },
    });
    expect(byOwner.status).toBe(200);
    expect(byOwner.body).toMatchObject({ title: "Renamed", description: null });
    expect(byOwner.body.updated_at > g.updated_at).toBe(true);
    const empty = await t.request(path, { method: "PATCH", token: alice.accessToken, json: {} });
    expect(empty.status).toBe(422);
    const dm = await openDirect(t, alice, bob);
    const direct = await t.request(`/api/conversations/${dm.id}`, {
      method: "PATCH",
      token: alice.accessToken,
      json: { title: "x" },
    });
    expect(direct.status).toBe(422);
  });
});

describe("visibility", () => {
  it("answers 404 to strangers and former members for the conversation and all inside it", async () => {
    const g = await createGroup(t, alice, [bob]);
    const m = await send(t, alice, g.id, "secret");
    const leave = await t.request(`/api/conversations/${g.id}/leave`, {
      method: "POST",
      token: bob.accessToken,
    });
    expect(leave.status).toBe(204);
    for (const who of [carol, bob]) {
      for (const path of [
        `/api/conversations/${g.id}`,
        `/api/conversations/${g.id}/members`,
        `/api/conversations/${g.id}/messages`,
        `/api/conversations/${g.id}/messages/${m.id}`,
      ]) {
        const res = await get(t, who, path);
        expect(res.status, path).toBe(404);
        expect(res.body.error.code).toBe("not_found");
      }
      const write = await t.request(`/api/conversations/${g.id}/messages`, {
        method: "POST",
        token: who.accessToken,
        json: { content: "hi" },
      });
      expect(write.status).toBe(404);
    }
    const missing = await get(t, alice, `/api/conversations/cnv_${"0".repeat(26)}`);
    expect(missing.status).toBe(404);
    const malformed = await get(t, alice, "/api/conversations/nope");
    expect(malformed.status).toBe(422);
    const unknownQuery = await get(t, alice, `/api/conversations/${g.id}?verbose=1`);
    expect(unknownQuery.status).toBe(422);
    expect(unknownQuery.body.error.details[0].path).toBe("query.verbose");
  });
});

describe("listing", () => {
  it("orders by latest activity, pages without gaps, and never shows others' conversations", async () => {
    const [me, x, y, z] = [
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
    ];
    const dx = await openDirect(t, me, x);
    t.clock.advance(1000);
    const dy = await openDirect(t, me, y);
    t.clock.advance(1000);
    const g = await createGroup(t, me, [z]);
    t.clock.advance(1000);
    await openDirect(t, x, y); // not mine
    t.clock.advance(1000);
    await send(t, x, dx.id, "bump");
    const pages = await allPages(t, me, "/api/conversations", 2);
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    const ids = pages.flat().map((c) => c.id);
    expect(ids).toEqual([dx.id, g.id, dy.id]);
    const first = pages.flat()[0];
    expect(first.last_message.content).toBe("bump");
    expect(first.unread_count).toBe(1);
    const forged = await get(t, me, "/api/conversations?cursor=abc.def");
    expect(forged.status).toBe(422);
    expect(forged.body.error.details[0].path).toBe("query.cursor");
    const tooMany = await get(t, me, "/api/conversations?limit=101");
    expect(tooMany.status).toBe(422);
  });

  it("refuses a cursor issued for another list", async () => {
    const me = await registerAgent(t);
    for (const other of [alice, bob]) await openDirect(t, me, other);
    await block(t, me, "agents", carol.id);
    await block(t, me, "agents", `${bob.id}`);
    const blocks = await get(t, me, "/api/blocks?limit=1");
    expect(blocks.body.next_cursor).not.toBeNull();
    const res = await get(t, me, `/api/conversations?cursor=${blocks.body.next_cursor}`);
    expect(res.status).toBe(422);
  });
});

describe("a polled conversation list", () => {
  it("answers the very same bytes while nothing changed, and the next poll after each change shows it", async () => {
    const [me, other] = [await registerAgent(t), await registerAgent(t)];
    const [g1, g2, g3] = [
      await createGroup(t, me, [other], "one"),
      await createGroup(t, me, [other], "two"),
      await createGroup(t, me, [other], "three"),
    ];
    const poll = (cursor?: string) =>
      get(t, me, `/api/conversations?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
    const first = await poll();
    expect(first.body.data.map((c: Json) => c.id)).toEqual([g3.id, g2.id]);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    // Written once and sent again (SQLite's cached page): the same bytes, the same JSON.
    const again = await poll();
    expect(again.text).toBe(first.text);
    expect(again.text).toBe(JSON.stringify(again.body));
    // The cursor it carries still works, and so does the second page when polled twice.
    const second = await poll(first.body.next_cursor);
    expect(second.body.data.map((c: Json) => c.id)).toEqual([g1.id]);
    expect((await poll(first.body.next_cursor)).text).toBe(second.text);

    // A message moves g1 up with one unread; the poll after it shows both.
    t.clock.advance(1000);
    const m = await send(t, other, g1.id, "news");
    const moved = await poll();
    expect(moved.body.data.map((c: Json) => [c.id, c.unread_count])).toEqual([
      [g1.id, 1],
      [g3.id, 0],
    ]);
    expect(moved.body.data[0].last_message.content).toBe("news");
    expect((await poll()).text).toBe(moved.text);
    // Reading it clears the count; renaming shows the new title.
    const read = await t.request(`/api/conversations/${g1.id}/read`, {
      method: "POST",
      token: me.accessToken,
      json: { message_id: m.id },
    });
    expect(read.status).toBeLessThan(300);
    expect((await poll()).body.data[0].unread_count).toBe(0);
    const renamed = await t.request(`/api/conversations/${g3.id}`, {
      method: "PATCH",
      token: me.accessToken,
      json: { title: "three, renamed" },
    });
    expect(renamed.status).toBe(200);
    const titles = (await poll()).body.data.map((c: Json) => c.title);
    expect(titles).toContain("three, renamed");
  });
});
