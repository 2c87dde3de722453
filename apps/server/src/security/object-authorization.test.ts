import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestAgent, type TestApp } from "../testing/index.js";
import { buildWorld, snapshot, type World } from "./world.js";

// Threats 1–3 and 21 of security.md (OWASP API1): every conversation, message, member, block
// and key endpoint called by someone who may not, and proof that nothing changed.

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = createTestApp();
  w = await buildWorld(t);
});
afterAll(async () => t.close());

interface Attack {
  name: string;
  method: string;
  path: string;
  json?: unknown;
}

/** Every operation that names a conversation, with a well-formed body (so only authz can refuse). */
function conversationAttacks(conversationId: string, messageId: string, target: string): Attack[] {
  const c = `/api/conversations/${conversationId}`;
  return [
    { name: "getConversation", method: "GET", path: c },
    { name: "updateConversation", method: "PATCH", path: c, json: { title: "pwned" } },
    { name: "listMembers", method: "GET", path: `${c}/members` },
    { name: "addMember", method: "POST", path: `${c}/members`, json: { agent_id: target } },
    {
      name: "updateMember",
      method: "PATCH",
      path: `${c}/members/${target}`,
      json: { role: "owner" },
    },
    { name: "removeMember", method: "DELETE", path: `${c}/members/${target}` },
    { name: "leaveConversation", method: "POST", path: `${c}/leave` },
    { name: "sendMessage", method: "POST", path: `${c}/messages`, json: { content: "x" } },
    { name: "listMessages", method: "GET", path: `${c}/messages` },
    { name: "getMessage", method: "GET", path: `${c}/messages/${messageId}` },
    {
      name: "editMessage",
      method: "PATCH",
      path: `${c}/messages/${messageId}`,
      json: { content: "pwned" },
    },
    { name: "deleteMessage", method: "DELETE", path: `${c}/messages/${messageId}` },
    { name: "markRead", method: "POST", path: `${c}/read`, json: { message_id: messageId } },
    {
      name: "blockConversation",
      method: "PUT",
      path: `/api/blocks/conversations/${conversationId}`,
    },
  ];
}

async function attack(agent: TestAgent, a: Attack) {
  return t.request(a.path, {
    method: a.method,
    token: agent.accessToken,
    ...(a.json === undefined ? {} : { json: a.json }),
  });
}

async function snapshots() {
  return {
    owner: await snapshot(t, w.owner, w),
    member: await snapshot(t, w.member, w),
    admin: await snapshot(t, w.admin, w),
  };
}

describe("object-level authorization (stranger, former member, leaver)", () => {
  it("answers 404 not_found to every conversation endpoint, and changes nothing", async () => {
    const before = await snapshots();
    let cases = 0;
    const targets: [string, TestAgent, string, string][] = [
      ["group/stranger", w.stranger, w.group.id, w.ownerMessage.id],
      ["group/removed", w.removed, w.group.id, w.ownerMessage.id],
      ["group/leaver", w.leaver, w.group.id, w.ownerMessage.id],
      ["direct/stranger", w.stranger, w.direct.id, w.directMessage.id],
      ["direct/removed", w.removed, w.direct.id, w.directMessage.id],
    ];
    for (const [label, agent, conversationId, messageId] of targets) {
      for (const a of conversationAttacks(conversationId, messageId, w.member.id)) {
        const res = await attack(agent, a);
        expect(res.status, `${label} ${a.name}`).toBe(404);
        expect(res.body.error.code, `${label} ${a.name}`).toBe("not_found");
        cases += 1;
      }
      // Unblocking something you never blocked is an idempotent no-op (204), not a leak.
      const unblock = await t.request(`/api/blocks/conversations/${conversationId}`, {
        method: "DELETE",
        token: agent.accessToken,
      });
      expect(unblock.status).toBe(204);
    }
    expect(cases).toBe(70);
    expect(await snapshots()).toEqual(before);
  });

  it("hides another agent's api keys and sessions (404), changing nothing", async () => {
    const before = await snapshots();
    const key = await t.request(`/api/auth/api-keys/${w.owner.apiKeyId}`, {
      method: "DELETE",
      token: w.stranger.accessToken,
    });
    expect(key.status).toBe(404);
    const session = await t.request(`/api/auth/sessions/${w.owner.sessionId}`, {
      method: "DELETE",
      token: w.stranger.accessToken,
    });
    expect(session.status).toBe(404);
    expect((await t.request("/api/auth/session", { token: w.owner.accessToken })).status).toBe(200);
    expect(await snapshots()).toEqual(before);
  });
});

describe("function-level authorization inside a group (member, admin)", () => {
  it("refuses what the caller's role does not allow with 403, changing nothing", async () => {
    const before = await snapshots();
    const g = `/api/conversations/${w.group.id}`;
    const cases: [TestAgent, Attack, string][] = [
      [w.member, { name: "rename", method: "PATCH", path: g, json: { title: "x" } }, "forbidden"],
      [
        w.member,
        { name: "invite", method: "POST", path: `${g}/members`, json: { agent_id: w.stranger.id } },
        "forbidden",
      ],
      [
        w.member,
        {
          name: "self-promote",
          method: "PATCH",
          path: `${g}/members/${w.member.id}`,
          json: { role: "owner" },
        },
        "forbidden",
      ],
      [
        w.member,
        { name: "kick admin", method: "DELETE", path: `${g}/members/${w.admin.id}` },
        "forbidden",
      ],
      [
        w.admin,
        {
          name: "demote owner",
          method: "PATCH",
          path: `${g}/members/${w.owner.id}`,
          json: { role: "member" },
        },
        "forbidden",
      ],
      [
        w.admin,
        { name: "kick owner", method: "DELETE", path: `${g}/members/${w.owner.id}` },
        "forbidden",
      ],
      [
        w.admin,
        {
          name: "grant owner",
          method: "PATCH",
          path: `${g}/members/${w.member.id}`,
          json: { role: "owner" },
        },
        "forbidden",
      ],
      [
        w.member,
        {
          name: "edit owner's message",
          method: "PATCH",
          path: `${g}/messages/${w.ownerMessage.id}`,
          json: { content: "x" },
        },
        "not_message_author",
      ],
      [
        w.member,
        {
          name: "delete owner's message",
          method: "DELETE",
          path: `${g}/messages/${w.ownerMessage.id}`,
        },
        "not_message_author",
      ],
      [
        w.admin,
        {
          name: "edit member's message",
          method: "PATCH",
          path: `${g}/messages/${w.memberMessage.id}`,
          json: { content: "x" },
        },
        "not_message_author",
      ],
    ];
    for (const [agent, a, code] of cases) {
      const res = await attack(agent, a);
      expect(res.status, a.name).toBe(403);
      expect(res.body.error.code, a.name).toBe(code);
    }
    expect(await snapshots()).toEqual(before);
  });
});

describe("blocked agent (security.md 21)", () => {
  it("cannot open or send in a direct conversation, nor add the blocker to a group", async () => {
    const before = await snapshots();
    const blockedView = async () => ({
      dm: (
        await t.request(`/api/conversations/${w.blockedDirect.id}/messages`, {
          token: w.blocked.accessToken,
        })
      ).body,
      members: (
        await t.request(`/api/conversations/${w.blockedGroup.id}/members`, {
          token: w.blocked.accessToken,
        })
      ).body,
    });
    const mine = await blockedView();
    const open = await t.request("/api/conversations", {
      method: "POST",
      token: w.blocked.accessToken,
      json: { type: "direct", agent_id: w.owner.id },
    });
    expect([open.status, open.body.error.code]).toEqual([403, "blocked"]);
    const sent = await t.request(`/api/conversations/${w.blockedDirect.id}/messages`, {
      method: "POST",
      token: w.blocked.accessToken,
      json: { content: "hello?" },
    });
    expect([sent.status, sent.body.error.code]).toEqual([403, "blocked"]);
    const added = await t.request(`/api/conversations/${w.blockedGroup.id}/members`, {
      method: "POST",
      token: w.blocked.accessToken,
      json: { agent_id: w.owner.id },
    });
    expect([added.status, added.body.error.code]).toEqual([403, "blocked"]);
    // The blocker cannot send either, and an invite in a new group is skipped, not an error.
    const reply = await t.request(`/api/conversations/${w.blockedDirect.id}/messages`, {
      method: "POST",
      token: w.owner.accessToken,
      json: { content: "no" },
    });
    expect([reply.status, reply.body.error.code]).toEqual([403, "blocked"]);
    expect(await blockedView()).toEqual(mine);
    expect(await snapshots()).toEqual(before);
    const group = await t.request("/api/conversations", {
      method: "POST",
      token: w.blocked.accessToken,
      json: { type: "group", title: "sneaky", member_ids: [w.owner.id] },
    });
    expect(group.status).toBe(201);
    expect(group.body.skipped).toEqual([w.owner.id]);
    expect(group.body.member_count).toBe(1);
  });
});
