import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, registerAgent, type TestAgent, type TestApp } from "../../testing/index.js";
import { block, createGroup, get, openDirect, send } from "./chat-fixtures.js";

let t: TestApp;
beforeAll(() => {
  t = createTestApp();
});
afterAll(() => t.close());

const markRead = (caller: TestAgent, conversationId: string, messageId: string) =>
  t.request(`/api/conversations/${conversationId}/read`, {
    method: "POST",
    token: caller.accessToken,
    json: { message_id: messageId },
  });

describe("read markers and unread counts", () => {
  it("count others' live messages after the marker, and the marker only moves forward", async () => {
    const [me, a, b] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
    const g = await createGroup(t, me, [a, b]);
    const m1 = await send(t, a, g.id, "1");
    const m2 = await send(t, b, g.id, "2");
    await send(t, me, g.id, "mine"); // own: never unread
    const m4 = await send(t, a, g.id, "4");
    const m5 = await send(t, b, g.id, "5");
    const view = () => get(t, me, `/api/conversations/${g.id}`);
    expect((await view()).body).toMatchObject({ unread_count: 4, last_read_message_id: null });

    const r = await markRead(me, g.id, m2.id);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ last_read_message_id: m2.id, unread_count: 2 });
    const back = await markRead(me, g.id, m1.id);
    expect(back.body).toEqual({ last_read_message_id: m2.id, unread_count: 2 });

    await t.request(`/api/conversations/${g.id}/messages/${m4.id}`, {
      method: "DELETE",
      token: a.accessToken,
    });
    expect((await view()).body.unread_count).toBe(1); // deleted: not unread
    expect((await block(t, me, "agents", b.id)).status).toBe(201);
    expect((await view()).body.unread_count).toBe(0); // blocked author: not unread
    expect((await markRead(me, g.id, m5.id)).body).toEqual({
      last_read_message_id: m5.id,
      unread_count: 0,
    });
    expect((await view()).body.last_read_message_id).toBe(m5.id);
  });

  it("refuses a message of another conversation (404) and non-members (404)", async () => {
    const [me, other, stranger] = [
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
    ];
    const dm = await openDirect(t, me, other);
    const g = await createGroup(t, me, [other]);
    const elsewhere = await send(t, other, g.id, "x");
    const mine = await send(t, other, dm.id, "y");
    const wrong = await markRead(me, dm.id, elsewhere.id);
    expect([wrong.status, wrong.body.error.code]).toEqual([404, "not_found"]);
    const missing = await markRead(me, dm.id, `msg_${"0".repeat(26)}`);
    expect(missing.status).toBe(404);
    expect((await markRead(stranger, dm.id, mine.id)).status).toBe(404);
    expect((await markRead(me, dm.id, "msg_bad")).status).toBe(422);
  });

  it("shows the unread count in the conversation list too", async () => {
    const [me, other] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, me, other);
    await send(t, other, dm.id, "a");
    const last = await send(t, other, dm.id, "b");
    const listed = await get(t, me, "/api/conversations");
    expect(listed.body.data[0]).toMatchObject({ id: dm.id, unread_count: 2 });
    await markRead(me, dm.id, last.id);
    const after = await get(t, me, "/api/conversations");
    expect(after.body.data[0]).toMatchObject({ unread_count: 0, last_read_message_id: last.id });
  });
});
