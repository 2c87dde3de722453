import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, registerAgent, type TestApp } from "../../testing/index.js";
import { block, createGroup, openDirect, send, setRole } from "../chat/chat-fixtures.js";
import { drain, nowCursor, summary } from "./event-fixtures.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

describe("event visibility follows the REST rules at event time", () => {
  it("leaves out authors the recipient blocked, and only those", async () => {
    t = createTestApp();
    const [a, b, c] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b, c]);
    expect((await block(t, c, "agents", a.id)).status).toBe(201);
    const start = await nowCursor(t, c);
    const fromA = await send(t, a, group.id, "from a");
    await send(t, b, group.id, "from b");
    await t.request(`/api/conversations/${group.id}/messages/${fromA.id}`, {
      method: "PATCH",
      token: a.accessToken,
      json: { content: "edited" },
    });
    expect(summary((await drain(t, c, start)).events)).toEqual(["message.created:from b"]);
  });

  it("sends nothing of a conversation the recipient blocked", async () => {
    t = createTestApp();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b]);
    const dm = await openDirect(t, a, b);
    const start = await nowCursor(t, b);
    expect((await block(t, b, "conversations", dm.id)).status).toBe(201);
    // The direct conversation now refuses sends; the group still reaches b.
    await send(t, a, group.id, "group");
    const refused = await t.request(`/api/conversations/${dm.id}/messages`, {
      method: "POST",
      token: a.accessToken,
      json: { content: "refused" },
    });
    expect(refused.status).toBe(403);
    expect(summary((await drain(t, b, start)).events)).toEqual(["message.created:group"]);
  });

  it("gives a removed member its member.removed, then nothing; non-members get nothing", async () => {
    t = createTestApp();
    const [a, b, c, outsider] = [
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
    ];
    const group = await createGroup(t, a, [b, c]);
    const [bStart, cStart, outStart] = [
      await nowCursor(t, b),
      await nowCursor(t, c),
      await nowCursor(t, outsider),
    ];
    const removed = await t.request(`/api/conversations/${group.id}/members/${b.id}`, {
      method: "DELETE",
      token: a.accessToken,
    });
    expect(removed.status).toBe(204);
    await send(t, a, group.id, "after removal");
    expect(summary((await drain(t, b, bStart)).events)).toEqual([`member.removed:${b.id}`]);
    expect(summary((await drain(t, c, cStart)).events)).toEqual([
      `member.removed:${b.id}`,
      "message.created:after removal",
    ]);
    expect((await drain(t, outsider, outStart)).events).toEqual([]);
  });

  it("tells a leaver, and a group blocker, of its own departure last", async () => {
    t = createTestApp();
    const [a, b, c] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b, c]);
    const [bStart, cStart] = [await nowCursor(t, b), await nowCursor(t, c)];
    const left = await t.request(`/api/conversations/${group.id}/leave`, {
      method: "POST",
      token: b.accessToken,
    });
    expect(left.status).toBe(204);
    expect((await block(t, c, "conversations", group.id)).status).toBe(201);
    await send(t, a, group.id, "nobody left");
    expect(summary((await drain(t, b, bStart)).events)).toEqual([`member.removed:${b.id}`]);
    expect(summary((await drain(t, c, cStart)).events)).toEqual([
      `member.removed:${b.id}`,
      `member.removed:${c.id}`,
    ]);
  });

  it("announces joins, role changes and edits, each conversation as the recipient sees it", async () => {
    t = createTestApp();
    const [a, b, c] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
    const [aStart, cStart] = [await nowCursor(t, a), await nowCursor(t, c)];
    const group = await createGroup(t, a, [b]);
    const added = await t.request(`/api/conversations/${group.id}/members`, {
      method: "POST",
      token: a.accessToken,
      json: { agent_id: c.id },
    });
    expect(added.status).toBe(201);
    await setRole(t, a, group.id, b, "admin");
    const patched = await t.request(`/api/conversations/${group.id}`, {
      method: "PATCH",
      token: a.accessToken,
      json: { title: "Renamed" },
    });
    expect(patched.status).toBe(200);
    const aEvents = (await drain(t, a, aStart)).events;
    expect(summary(aEvents)).toEqual([
      "conversation.created:Paper club",
      `member.added:${c.id}`,
      `member.updated:${b.id}`,
      "conversation.updated:Renamed",
    ]);
    expect(aEvents[0].data.role).toBe("owner");
    const cEvents = (await drain(t, c, cStart)).events;
    expect(summary(cEvents)).toEqual([
      "conversation.created:Paper club",
      `member.added:${c.id}`,
      `member.updated:${b.id}`,
      "conversation.updated:Renamed",
    ]);
    expect(cEvents[0].data.role).toBe("member");
    expect(cEvents[3].data.role).toBe("member");
  });

  it("sends read.updated only to the agent whose marker moved", async () => {
    t = createTestApp();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    const msg = await send(t, a, dm.id, "read me");
    const [aStart, bStart] = [await nowCursor(t, a), await nowCursor(t, b)];
    const read = () =>
      t.request(`/api/conversations/${dm.id}/read`, {
        method: "POST",
        token: b.accessToken,
        json: { message_id: msg.id },
      });
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(200); // did not move: no second event
    const bEvents = (await drain(t, b, bStart)).events;
    expect(summary(bEvents)).toEqual([`read.updated:${msg.id}`]);
    expect(bEvents[0].data).toEqual({ last_read_message_id: msg.id, unread_count: 0 });
    expect((await drain(t, a, aStart)).events).toEqual([]);
  });

  it("writes no event for a refused write", async () => {
    t = createTestApp();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    const start = await nowCursor(t, b);
    const bad = await t.request(`/api/conversations/${dm.id}/messages`, {
      method: "POST",
      token: a.accessToken,
      json: { content: "x", reply_to_id: "msg_01jqzbf1a2b3c4d5e6f7g8h9j2" },
    });
    expect(bad.status).toBe(422);
    expect((await drain(t, b, start)).events).toEqual([]);
  });
});
