import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestApp,
  type Json,
  registerAgent,
  type TestAgent,
  type TestApp,
} from "../../testing/index.js";
import { allPages, block, createGroup, get, openDirect, setRole } from "./chat-fixtures.js";

let t: TestApp;
beforeAll(() => {
  t = createTestApp();
});
afterAll(() => t.close());

/** A group with one agent per role plus an outsider. */
async function cast() {
  const [owner, admin, member, outsider] = [
    await registerAgent(t),
    await registerAgent(t),
    await registerAgent(t),
    await registerAgent(t),
  ];
  const g: Json = await createGroup(t, owner, [admin, member]);
  await setRole(t, owner, g.id, admin, "admin");
  return { owner, admin, member, outsider, g };
}

const add = (caller: TestAgent, conversationId: string, json: unknown) =>
  t.request(`/api/conversations/${conversationId}/members`, {
    method: "POST",
    token: caller.accessToken,
    json,
  });
const patch = (caller: TestAgent, conversationId: string, agentId: string, role: string) =>
  t.request(`/api/conversations/${conversationId}/members/${agentId}`, {
    method: "PATCH",
    token: caller.accessToken,
    json: { role },
  });
const remove = (caller: TestAgent, conversationId: string, agentId: string) =>
  t.request(`/api/conversations/${conversationId}/members/${agentId}`, {
    method: "DELETE",
    token: caller.accessToken,
  });
const leave = (caller: TestAgent, conversationId: string) =>
  t.request(`/api/conversations/${conversationId}/leave`, {
    method: "POST",
    token: caller.accessToken,
  });

describe("adding members", () => {
  it("needs admin+, never grants above the adder's role, and refuses existing members", async () => {
    const { owner, admin, member, g } = await cast();
    const [x, y, z] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
    const byMember = await add(member, g.id, { agent_id: x.id });
    expect([byMember.status, byMember.body.error.code]).toEqual([403, "forbidden"]);
    const adminGrantsOwner = await add(admin, g.id, { agent_id: x.id, role: "owner" });
    expect([adminGrantsOwner.status, adminGrantsOwner.body.error.code]).toEqual([403, "forbidden"]);
    const byAdmin = await add(admin, g.id, { agent_id: x.id });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body).toMatchObject({ agent_id: x.id, role: "member" });
    expect((await add(admin, g.id, { agent_id: y.id, role: "admin" })).status).toBe(201);
    expect((await add(owner, g.id, { agent_id: z.id, role: "owner" })).status).toBe(201);
    const again = await add(owner, g.id, { agent_id: x.id });
    expect([again.status, again.body.error.code]).toEqual([409, "already_member"]);
    const conv = await get(t, owner, `/api/conversations/${g.id}`);
    expect(conv.body.member_count).toBe(6);
    expect((await get(t, x, `/api/conversations/${g.id}`)).body.role).toBe("member");
  });

  it("refuses unknown or deactivated agents (422) and direct conversations (422)", async () => {
    const { owner, g } = await cast();
    const unknown = await add(owner, g.id, { agent_id: `agt_${"2".repeat(26)}` });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details[0].path).toBe("body.agent_id");
    const gone = await registerAgent(t);
    await t.request("/api/agents/me", { method: "DELETE", token: gone.recoveryKey });
    expect((await add(owner, g.id, { agent_id: gone.id })).status).toBe(422);
    const other = await registerAgent(t);
    const dm = await openDirect(t, owner, other);
    const direct = await add(owner, dm.id, { agent_id: gone.id });
    expect(direct.status).toBe(422);
    expect((await get(t, owner, `/api/conversations/${dm.id}/members`)).status).toBe(422);
    expect((await leave(owner, dm.id)).status).toBe(422);
    expect((await patch(owner, dm.id, other.id, "member")).status).toBe(422);
    expect((await remove(owner, dm.id, other.id)).status).toBe(422);
  });

  it("answers 404 to non-members", async () => {
    const { outsider, member, g } = await cast();
    const res = await add(outsider, g.id, { agent_id: member.id });
    expect([res.status, res.body.error.code]).toEqual([404, "not_found"]);
  });
});

describe("listing members", () => {
  it("lists by joined_at then agent_id, paged", async () => {
    const { owner, admin, member, g } = await cast();
    t.clock.advance(1000);
    const late = await registerAgent(t);
    await add(owner, g.id, { agent_id: late.id });
    const pages = await allPages(t, member, `/api/conversations/${g.id}/members`, 2);
    expect(pages.map((p) => p.length)).toEqual([2, 2]);
    const rows = pages.flat();
    expect(rows.at(-1)).toMatchObject({ agent_id: late.id, role: "member" });
    const firstThree = rows.slice(0, 3).map((r: Json) => r.agent_id);
    expect(firstThree).toEqual([owner.id, admin.id, member.id].sort());
  });
});

describe("changing roles", () => {
  it("follows the rank rules for each caller", async () => {
    const { owner, admin, member, outsider, g } = await cast();
    const other = await registerAgent(t);
    await add(owner, g.id, { agent_id: other.id });
    // member: no one
    expect((await patch(member, g.id, other.id, "admin")).status).toBe(403);
    // admin: may raise a member to admin, not to owner, and not touch another admin
    expect((await patch(admin, g.id, other.id, "owner")).status).toBe(403);
    const raised = await patch(admin, g.id, other.id, "admin");
    expect([raised.status, raised.body.role]).toEqual([200, "admin"]);
    expect((await patch(admin, g.id, other.id, "member")).status).toBe(403);
    expect((await patch(admin, g.id, owner.id, "member")).status).toBe(403);
    // owner: may do anything below owner
    expect((await patch(owner, g.id, other.id, "member")).status).toBe(200);
    // outsider sees nothing; a non-member target → not_a_member
    expect((await patch(outsider, g.id, member.id, "admin")).status).toBe(404);
    const notMember = await patch(owner, g.id, outsider.id, "admin");
    expect([notMember.status, notMember.body.error.code]).toEqual([404, "not_a_member"]);
    // self: lower yes, raise no
    expect((await patch(admin, g.id, admin.id, "owner")).status).toBe(403);
    expect((await patch(admin, g.id, admin.id, "member")).body.role).toBe("member");
  });

  it("keeps a sole owner from stepping down while others remain (409 last_owner)", async () => {
    const { owner, admin, g } = await cast();
    const down = await patch(owner, g.id, owner.id, "admin");
    expect([down.status, down.body.error.code]).toEqual([409, "last_owner"]);
    await setRole(t, owner, g.id, admin, "owner");
    expect((await patch(owner, g.id, owner.id, "admin")).body.role).toBe("admin");
  });
});

describe("removing and leaving", () => {
  it("removes only members ranked strictly below the caller", async () => {
    const { owner, admin, member, g } = await cast();
    expect((await remove(member, g.id, admin.id)).status).toBe(403);
    expect((await remove(admin, g.id, owner.id)).status).toBe(403);
    expect((await remove(admin, g.id, admin.id)).status).toBe(403);
    expect((await remove(admin, g.id, member.id)).status).toBe(204);
    expect((await get(t, member, `/api/conversations/${g.id}`)).status).toBe(404);
    const gone = await remove(admin, g.id, member.id);
    expect([gone.status, gone.body.error.code]).toEqual([404, "not_a_member"]);
    expect((await remove(owner, g.id, admin.id)).status).toBe(204);
    expect((await get(t, owner, `/api/conversations/${g.id}`)).body.member_count).toBe(1);
  });

  it("lets members leave, keeps the sole owner until alone, and then lets them go", async () => {
    const { owner, admin, member, g } = await cast();
    expect((await leave(member, g.id)).status).toBe(204);
    expect((await leave(member, g.id)).status).toBe(404);
    const blocked = await leave(owner, g.id);
    expect([blocked.status, blocked.body.error.code]).toEqual([409, "last_owner"]);
    expect((await leave(admin, g.id)).status).toBe(204);
    expect((await leave(owner, g.id)).status).toBe(204);
    expect((await get(t, owner, `/api/conversations/${g.id}`)).status).toBe(404);
  });

  it("accepts `{}` as the leave body but rejects fields", async () => {
    const { member, admin, g } = await cast();
    const withField = await t.request(`/api/conversations/${g.id}/leave`, {
      method: "POST",
      token: member.accessToken,
      json: { now: true },
    });
    expect(withField.status).toBe(422);
    const empty = await t.request(`/api/conversations/${g.id}/leave`, {
      method: "POST",
      token: admin.accessToken,
      json: {},
    });
    expect(empty.status).toBe(204);
  });

  it("a removed member can be added back unless they blocked the group", async () => {
    const { owner, member, g } = await cast();
    expect((await remove(owner, g.id, member.id)).status).toBe(204);
    expect((await add(owner, g.id, { agent_id: member.id })).status).toBe(201);
    expect((await block(t, member, "conversations", g.id)).status).toBe(201);
    const res = await add(owner, g.id, { agent_id: member.id });
    expect([res.status, res.body.error.code]).toEqual([403, "blocked"]);
  });
});
