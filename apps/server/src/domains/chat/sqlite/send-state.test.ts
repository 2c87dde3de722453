import { afterEach, describe, expect, it } from "vitest";
import { testBackend } from "../../../storage/postgres/test-store.js";
import { createTestApp, registerAgent, type TestApp } from "../../../testing/index.js";
import { drain, nowCursor, summary } from "../../events/event-fixtures.js";
import { block, createGroup, openDirect, send } from "../chat-fixtures.js";
import { sendState } from "./send-state.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const post = (conversation: string, token: string, content: string) =>
  t.request(`/api/conversations/${conversation}/messages`, {
    method: "POST",
    token,
    json: { content },
  });

// The send state (send-state.ts) keeps memberships, seqs and direct blocks between sends of one
// process; every check here starts with warm state (the actors have sent before).
describe.skipIf(testBackend === "postgres")("SQLite sends with kept send state", () => {
  it("keeps the send's reads in memory once warm", async () => {
    t = createTestApp();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b]);
    await send(t, a, group.id, "warm");
    expect(sendState(t.store.db).get(group.id)?.roles.get(a.id)).toBe("owner");
  });

  it("refuses a removed member's next send, and a send across a new block", async () => {
    t = createTestApp();
    const [a, b, c] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b, c]);
    const dm = await openDirect(t, a, b);
    await send(t, c, group.id, "c, a member");
    await send(t, a, dm.id, "a to b");
    await send(t, b, dm.id, "b to a");
    const removed = await t.request(`/api/conversations/${group.id}/members/${c.id}`, {
      method: "DELETE",
      token: a.accessToken,
    });
    expect(removed.status).toBe(204);
    expect((await post(group.id, c.accessToken, "c, removed")).status).toBe(404);
    expect((await block(t, b, "agents", a.id)).status).toBe(201);
    for (const sender of [a, b]) {
      const refused = await post(dm.id, sender.accessToken, "across the block");
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe("blocked");
    }
  });

  it("addresses a warm send's event to the members and blocks of now, not of the first send", async () => {
    t = createTestApp();
    const [a, b, c, d] = [
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
      await registerAgent(t),
    ];
    const group = await createGroup(t, a, [b, c]);
    const cursors = await Promise.all([b, c, d].map((x) => nowCursor(t, x)));
    await send(t, a, group.id, "to b and c");
    expect(sendState(t.store.db).get(group.id)?.recipients.get(a.id)?.agents.sort()).toEqual(
      [a.id, b.id, c.id].sort(),
    );
    expect((await block(t, c, "agents", a.id)).status).toBe(201);
    await send(t, a, group.id, "c blocks a");
    expect((await block(t, b, "conversations", group.id)).status).toBe(201);
    await send(t, a, group.id, "b blocks the group");
    const added = await t.request(`/api/conversations/${group.id}/members`, {
      method: "POST",
      token: a.accessToken,
      json: { agent_id: d.id },
    });
    expect(added.status).toBe(201);
    await send(t, a, group.id, "d joined");
    // A tool unblocking by hand, on the server's own connection.
    t.store.db.raw.prepare("DELETE FROM blocks WHERE blocker_id = ?").run(c.id);
    await send(t, a, group.id, "c unblocked by hand");
    const [forB, forC, forD] = await Promise.all(
      [b, c, d].map(async (x, i) =>
        summary((await drain(t, x, cursors[i] as string)).events).filter((e) =>
          e.startsWith("message.created"),
        ),
      ),
    );
    expect(forB).toEqual(["message.created:to b and c", "message.created:c blocks a"]);
    expect(forC).toEqual(["message.created:to b and c", "message.created:c unblocked by hand"]);
    expect(forD).toEqual(["message.created:d joined", "message.created:c unblocked by hand"]);
  });

  it("sees a raw write on the same connection (a tool, SQL by hand) at the next send", async () => {
    t = createTestApp();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b]);
    await send(t, b, group.id, "warm");
    t.store.db.raw
      .prepare("DELETE FROM conversation_members WHERE conversation_id = ? AND agent_id = ?")
      .run(group.id, b.id);
    expect((await post(group.id, b.accessToken, "after the raw delete")).status).toBe(404);
    // Messages appended by hand move next_seq (the insert trigger): the next send follows them.
    t.store.db.raw
      .prepare(
        `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at)
         VALUES ('msg_by_hand', ?, 2, ?, 'by hand', 'text/plain', 0)`,
      )
      .run(group.id, a.id);
    expect((await send(t, a, group.id, "after the raw insert")).seq).toBe(3);
  });

  it("takes no seq from a send that rolled back: a failing write in a burst leaves no gap", async () => {
    t = createTestApp();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b]);
    await send(t, a, group.id, "warm");
    // The event insert of a message saying "boom" fails after its message row was written.
    t.store.db.raw.exec(`CREATE TEMP TRIGGER boom BEFORE INSERT ON main.events
      WHEN NEW.data LIKE '%"content":"boom"%' BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    const burst = await Promise.all(
      ["one", "boom", "two", "boom", "three"].map((text) =>
        post(group.id, a.accessToken, text).then((res) => [text, res.status, res.body.seq]),
      ),
    );
    expect(burst.filter(([text]) => text !== "boom")).toEqual([
      ["one", 201, 2],
      ["two", 201, 3],
      ["three", 201, 4],
    ]);
    // The injected failure is not a user error: whatever it answers, it is not an acknowledgement.
    expect(burst.filter(([text, status]) => text === "boom" && status === 201)).toEqual([]);
    t.store.db.raw.exec("DROP TRIGGER temp.boom");
    expect((await send(t, a, group.id, "after")).seq).toBe(5);
    const seqs = t.store.db.raw
      .prepare("SELECT seq FROM messages WHERE conversation_id = ? ORDER BY seq")
      .pluck()
      .all(group.id);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });
});
