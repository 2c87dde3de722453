import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPostgresStore } from "../../../storage/postgres/test-store.js";
import { bucketRecount, seedThreeInGroups, unreadRecount } from "./test-world.js";

// Migration 20261207T1900_send_counters_in_function: `fluxra_send_messages` keeps the counters
// its insert trigger used to (next_seq, messages_version, activity, members' unread counts,
// bucket and author counts) and tells the trigger to skip its own INSERT. Every counter must
// still equal its recount, for the send's rows and for any other insert. Migration
// 20261207T1905_conversation_checks_on_write: the conversations' and members' CHECK rules are
// triggers on the columns they read, refusing the same rows.
const store = createTestPostgresStore();
const q = store.db.query;
const [a, b, c] = ["agt_ka", "agt_kb", "agt_kc"];
const conversations = ["cnv_k1", "cnv_k2"];

beforeAll(async () => {
  // Sends start at seq 1020, so a batch of six crosses the bucket edge at 1024. C blocks B; A has
  // read cnv_k1 up to seq 1022 (in the middle of the coming batch).
  await seedThreeInGroups(q, {
    agents: [a, b, c],
    conversations,
    nextSeq: 1020,
    blockId: "blk_k",
    read: { conversation: "cnv_k1", seq: 1022 },
  });
});
afterAll(async () => store.close());

/** One call of the function, as the send batch makes it (sends grouped by conversation). */
function send(q2: typeof q, sends: { conv: string; author: string; id: string; at: number }[]) {
  const col = <T>(f: (s: (typeof sends)[number]) => T) => sends.map(f);
  return q2<{ new_seq: string | null }>(
    `SELECT new_seq FROM fluxra_send_messages($1::text[], $2::text[], $3::text[], $4::text[],
       $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[],
       'fluxra_test_counters', true)`,
    [
      col((s) => s.conv),
      col((s) => s.author),
      col((s) => s.id),
      col(() => "x"),
      col(() => "text/plain"),
      col(() => null),
      col(() => null),
      col((s) => s.at),
      col((s) => `evt_${s.id}`),
      col((s) => `{"id":"${s.id}","seq":`),
      col(() => "}"),
    ],
  );
}

/** Every counter of the two conversations against a recount from `messages`. */
async function recount(): Promise<void> {
  const members = await unreadRecount(q, conversations);
  expect(members).toHaveLength(6);
  for (const m of members) expect(m.ok, `${m.conversation_id} ${m.agent_id}`).toBe(true);
  const { buckets, authors } = await bucketRecount(q, conversations);
  const [conv] = await q<{ conversations: boolean }>(
    `WITH c AS (SELECT id, messages_version, next_seq, last_message_at, activity_at
         FROM conversations WHERE id = ANY($1)),
       pc AS (SELECT conversation_id AS id, count(*) AS messages_version, max(seq) + 1 AS next_seq,
           max(created_at) AS last_message_at, greatest(50, max(created_at)) AS activity_at
         FROM messages WHERE conversation_id = ANY($1) GROUP BY 1)
     SELECT NOT EXISTS (SELECT * FROM c EXCEPT SELECT * FROM pc)
         AND NOT EXISTS (SELECT * FROM pc EXCEPT SELECT * FROM c) AS conversations`,
    [conversations],
  );
  expect({ buckets, authors, conversations: conv?.conversations }).toEqual({
    buckets: true,
    authors: true,
    conversations: true,
  });
}

describe("the send function's own counters on PostgreSQL (migration 20261207T1900)", () => {
  it("equal their recount after a batch over two conversations, three authors and a bucket edge", async () => {
    // cnv_k1: seqs 1020–1025 by A, B, A, C, B, A (the newest time is not the last send's);
    // cnv_k2: seqs 1020–1021 by B twice.
    const k1 = [a, b, a, c, b, a].map((author, i) => ({
      conv: "cnv_k1",
      author,
      id: `msg_k1_${i}`,
      at: [100, 300, 200, 120, 110, 105][i] as number,
    }));
    const k2 = [0, 1].map((i) => ({ conv: "cnv_k2", author: b, id: `msg_k2_${i}`, at: 40 }));
    const rows = await send(q, [...k1, ...k2]);
    expect(rows.map((r) => Number(r.new_seq))).toEqual([
      1020, 1021, 1022, 1023, 1024, 1025, 1020, 1021,
    ]);
    await recount();
    // A read up to 1022: 1023 (C) and 1024 (B) are unread; C blocks B: A's two and its own
    // excluded leave three; B: A's three and C's one.
    const unread = await q<{ agent_id: string; unread_count: number }>(
      "SELECT agent_id, unread_count FROM conversation_members WHERE conversation_id = 'cnv_k1' ORDER BY agent_id",
    );
    expect(unread).toEqual([
      { agent_id: a, unread_count: 2 },
      { agent_id: b, unread_count: 4 },
      { agent_id: c, unread_count: 3 },
    ]);
  });

  it("leave any other insert of the same transaction to the trigger", async () => {
    await store.db.tx(async (tq) => {
      await send(tq, [{ conv: "cnv_k2", author: a, id: "msg_k2_tx", at: 500 }]);
      await tq(
        `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at)
         VALUES ('msg_k2_direct', 'cnv_k2', 1023, $1, 'x', 'text/plain', 600)`,
        [c],
      );
    });
    await recount();
    const [row] = await q(
      "SELECT next_seq, messages_version, activity_at FROM conversations WHERE id = 'cnv_k2'",
    );
    expect(row).toEqual({ next_seq: 1024, messages_version: 4, activity_at: 600 });
  });
});

describe("the conversations' and members' rules on PostgreSQL (migration 20261207T1905)", () => {
  const refused = async (sql: string, params: unknown[] = []) =>
    expect(q(sql, params)).rejects.toMatchObject({ code: "23514" });

  it("refuse the rows the CHECK constraints refused, without CHECK constraints on the tables a send updates", async () => {
    await refused(
      `INSERT INTO conversations (id, type, created_by, activity_at, created_at, updated_at)
       VALUES ('cnv_bad1', 'channel', $1, 0, 0, 0)`,
      [a],
    );
    await refused(
      `INSERT INTO conversations (id, type, created_by, direct_low, direct_high, activity_at, created_at, updated_at)
       VALUES ('cnv_bad2', 'direct', $1, $1, $2, 0, 0, 0)`,
      [b, a],
    );
    await refused(
      `INSERT INTO conversations (id, type, created_by, direct_low, direct_high, activity_at, created_at, updated_at)
       VALUES ('cnv_bad3', 'group', $1, $1, $2, 0, 0, 0)`,
      [a, b],
    );
    await refused("UPDATE conversations SET type = 'direct' WHERE id = 'cnv_k1'");
    await refused(
      `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
       VALUES ('cnv_k1', 'agt_kd', 'boss', 0)`,
    );
    await refused("UPDATE conversation_members SET role = 'boss' WHERE conversation_id = 'cnv_k1'");
    // Valid rows and updates of other columns pass.
    await q(
      `INSERT INTO conversations (id, type, created_by, direct_low, direct_high, activity_at, created_at, updated_at)
       VALUES ('cnv_ok', 'direct', $1, $1, $2, 0, 0, 0)`,
      [a, b],
    );
    await q("UPDATE conversation_members SET role = 'admin' WHERE conversation_id = 'cnv_ok'");
    const checks = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_constraint
       WHERE contype = 'c' AND conrelid IN ('conversations'::regclass, 'conversation_members'::regclass)`,
    );
    expect(checks).toEqual([{ n: 0 }]);
  });
});
