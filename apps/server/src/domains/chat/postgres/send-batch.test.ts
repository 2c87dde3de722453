import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPostgresStore } from "../../../storage/postgres/test-store.js";
import type { MessageRecord, NewMessage, Outcome } from "../store.js";

// Group commit of PostgreSQL sends (send-batch.ts, migration 20261207T0400_send_messages_function):
// sends issued together share transactions, and each still gets its own answer.
const store = createTestPostgresStore({ shareKey: "send-batch" });
const q = store.db.query;
const [alice, bob, carol] = ["agt_alice", "agt_bob", "agt_carol"];

beforeAll(async () => {
  await q(
    `INSERT INTO agents (id, handle, display_name, created_at, updated_at)
     SELECT id, id, id, 0, 0 FROM unnest($1::text[]) AS id`,
    [[alice, bob, carol]],
  );
  await q(
    `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at, created_at, updated_at, direct_low, direct_high)
     VALUES ('cnv_g1', 'group', 'g1', $1, 2, 0, 0, 0, NULL, NULL),
            ('cnv_g2', 'group', 'g2', $1, 2, 0, 0, 0, NULL, NULL),
            ('cnv_d', 'direct', NULL, $1, 2, 0, 0, 0, $1, $2)`,
    [alice, bob],
  );
  await q(
    `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
     SELECT c, x, 'member', 0 FROM unnest(ARRAY['cnv_g1', 'cnv_g2', 'cnv_d']) AS c,
       unnest($1::text[]) AS x`,
    [[alice, bob]],
  );
  // Bob blocks Alice: their direct conversation refuses sends either way.
  await q(
    `INSERT INTO blocks (id, blocker_id, type, target_id, created_at)
     VALUES ('blk_1', $1, 'agent', $2, 0)`,
    [bob, alice],
  );
});
afterAll(() => store.close());

const message = (id: string, extra: Partial<NewMessage> = {}): NewMessage => ({
  id,
  content: `hello ${id}`,
  content_type: "text/plain",
  reply_to_id: null,
  metadata: { n: id },
  ...extra,
});

describe("PostgreSQL sends in one batch", () => {
  it("share transactions, keep seq gap-free per conversation, and answer each send alone", async () => {
    // Migrations applied first (the first call waits for them): what follows is sent together.
    expect(await store.chat.sendMessage(carol, "cnv_g1", message("msg_warm"), 1)).toMatchObject({
      code: "not_found",
    });
    const calls: { name: string; run: Promise<Outcome<MessageRecord>> }[] = [];
    const send = (name: string, caller: string, conv: string, extra?: Partial<NewMessage>) =>
      calls.push({ name, run: store.chat.sendMessage(caller, conv, message(name, extra), 1000) });
    for (let i = 0; i < 24; i++) {
      send(`msg_ok${i}`, i % 3 === 0 ? bob : alice, i % 2 === 0 ? "cnv_g1" : "cnv_g2");
      if (i % 8 === 1) send(`msg_nonmember${i}`, carol, "cnv_g1");
      if (i % 8 === 3) send(`msg_blocked${i}`, alice, "cnv_d");
      if (i % 8 === 5) send(`msg_badreply${i}`, alice, "cnv_g1", { reply_to_id: "msg_none" });
    }
    const settled = await Promise.allSettled(calls.map((c) => c.run));
    const by = new Map(calls.map((c, i) => [c.name, settled[i]]));

    for (const [name, s] of by) {
      expect(s?.status, name).toBe("fulfilled");
      const out = (s as PromiseFulfilledResult<Outcome<MessageRecord>>).value;
      if (name.startsWith("msg_ok")) expect(out.ok, name).toBe(true);
      else if (name.startsWith("msg_nonmember")) expect(out).toMatchObject({ code: "not_found" });
      else if (name.startsWith("msg_blocked")) expect(out).toMatchObject({ code: "blocked" });
      else expect(out).toMatchObject({ code: "invalid", path: "body.reply_to_id" });
    }

    // Only the accepted sends were written, each once, seq 1..n per conversation.
    const rows = await q<{ id: string; conversation_id: string; seq: number; tx: string }>(
      "SELECT id, conversation_id, seq, xmin::text AS tx FROM messages ORDER BY conversation_id, seq",
    );
    expect(rows.map((r) => r.id).sort()).toEqual(
      [...by.keys()].filter((n) => n.startsWith("msg_ok")).sort(),
    );
    for (const conv of ["cnv_g1", "cnv_g2"]) {
      const seqs = rows.filter((r) => r.conversation_id === conv).map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    const [counters] = await q<{ g1: number; g2: number }>(
      `SELECT (SELECT next_seq FROM conversations WHERE id = 'cnv_g1') AS g1,
              (SELECT next_seq FROM conversations WHERE id = 'cnv_g2') AS g2`,
    );
    expect(counters).toEqual({ g1: 13, g2: 13 });
    // Group commit: fewer transactions than sends.
    expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(rows.length);

    // Each answer is the stored message, and its one message.created event carries the same JSON.
    const events = await q<{ data: string; pos: number; recipients: string[] }>(
      `SELECT e.data, e.pos, array_agg(r.agent_id ORDER BY r.agent_id) AS recipients
       FROM events e JOIN event_recipients r ON r.pos = e.pos
       WHERE e.type = 'message.created' GROUP BY e.pos ORDER BY e.pos`,
    );
    expect(events).toHaveLength(rows.length);
    // Feed positions follow each conversation's seq (a batch writes its events in the order it
    // applied the sends).
    for (const conv of ["cnv_g1", "cnv_g2"]) {
      const inFeedOrder = events
        .map((e) => JSON.parse(e.data) as MessageRecord)
        .filter((m) => m.conversation_id === conv)
        .map((m) => m.seq);
      expect(inFeedOrder).toEqual(inFeedOrder.map((_, i) => i + 1));
    }
    for (const [name, s] of by) {
      if (!name.startsWith("msg_ok")) continue;
      const sent = (s as PromiseFulfilledResult<Outcome<MessageRecord>>).value;
      if (!sent.ok) throw new Error(name);
      const row = rows.find((r) => r.id === name);
      expect(sent.value.seq).toBe(row?.seq);
      const event = events.filter((e) => JSON.parse(e.data).id === name);
      expect(event).toHaveLength(1);
      expect(JSON.parse(event[0]?.data ?? "")).toEqual(sent.value);
      // Bob blocked Alice: her messages' events skip him.
      const author = sent.value.author_id;
      expect(event[0]?.recipients).toEqual(author === alice ? [alice] : [alice, bob]);
    }
    // The tail serves the new messages exactly as stored.
    const page = await store.chat.listMessages(
      alice,
      "cnv_g1",
      { direction: "asc", seq: null },
      50,
    );
    if (!page.ok) throw new Error("listMessages refused");
    expect(JSON.parse(page.value.json).map((m: MessageRecord) => m.seq)).toEqual(
      rows.filter((r) => r.conversation_id === "cnv_g1").map((r) => r.seq),
    );
  });

  it("send everything that arrived while a batch commits in one next batch", async () => {
    const names = ["msg_n0", "msg_n1", "msg_n2", "msg_n3", "msg_n4", "msg_n5"];
    const sent = await Promise.all(
      names.map((n) => store.chat.sendMessage(alice, "cnv_g1", message(n), 3000)),
    );
    expect(sent.every((s) => s.ok)).toBe(true);
    const rows = await q<{ tx: string }>(
      "SELECT xmin::text AS tx FROM messages WHERE id = ANY($1) ORDER BY seq",
      [names],
    );
    // The first goes out alone at once; the five asked meanwhile share the next transaction
    // (one call in flight: a second call would have taken the second send alone).
    expect(rows.map((r) => r.tx).filter((t, i, all) => all.indexOf(t) === i)).toHaveLength(2);
  });

  it("fail only the send at fault when a batch's transaction fails", async () => {
    const names = ["msg_w0", "msg_w1", "msg_nul", "msg_w2", "msg_w3"];
    const settled = await Promise.allSettled(
      names.map((n) =>
        // PostgreSQL refuses NUL in text: that send's batch fails, and is run again send by send.
        store.chat.sendMessage(
          alice,
          "cnv_g2",
          message(n, n === "msg_nul" ? { content: "a\u0000b" } : {}),
          2000,
        ),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    const rows = await q<{ seq: number }>(
      "SELECT seq FROM messages WHERE conversation_id = 'cnv_g2' ORDER BY seq",
    );
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows).toHaveLength(16);
    const [nul] = await q<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE data LIKE '%msg_nul%'",
    );
    expect(nul?.n).toBe(0);
  });
});
