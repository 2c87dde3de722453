import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPostgresStore } from "../../../storage/postgres/test-store.js";
import { bucketRecount, seedThreeInGroups, unreadRecount } from "./test-world.js";

// The bucketed unread count (migration 011) against the plain count it replaces, across bucket
// edges, with deleted messages, the reader's own messages and a blocked author's.
const store = createTestPostgresStore();
const q = store.db.query;
const [me, other, blocked] = ["agt_me", "agt_other", "agt_blocked"];

beforeAll(async () => {
  await q(
    `INSERT INTO agents (id, handle, display_name, created_at, updated_at)
     SELECT id, id, id, 0, 0 FROM unnest($1::text[]) AS id`,
    [[me, other, blocked]],
  );
  await q(
    `INSERT INTO conversations (id, type, title, created_by, member_count, next_seq, activity_at, created_at, updated_at)
     VALUES ('cnv_u', 'group', 'u', $1, 3, 3001, 0, 0, 0)`,
    [me],
  );
  await q(
    `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
     SELECT 'cnv_u', a, 'member', 0 FROM unnest($1::text[]) AS a`,
    [[me, other, blocked]],
  );
  // 3,000 messages by three authors (the trigger counts each insert), then every 7th deleted.
  await q(
    `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at)
     SELECT 'msg_' || s, 'cnv_u', s, ($1::text[])[s % 3 + 1], 'x', 'text/plain', 0
     FROM generate_series(1, 3000) AS s`,
    [[me, other, blocked]],
  );
  await q("UPDATE messages SET deleted_at = 1, content = NULL WHERE seq % 7 = 0");
  await q(
    "INSERT INTO blocks (id, blocker_id, type, target_id, created_at) VALUES ('blk_u', $1, 'agent', $2, 0)",
    [me, blocked],
  );
});
afterAll(async () => store.close());

async function plainCount(marker: number): Promise<number> {
  const [row] = await q<{ n: number }>(
    `SELECT count(*) AS n FROM messages WHERE conversation_id = 'cnv_u' AND seq > $1
       AND deleted_at IS NULL AND author_id <> $2
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = $2 AND type = 'agent')`,
    [marker, me],
  );
  return row?.n ?? -1;
}

describe("bucketed unread counts on PostgreSQL", () => {
  it.each([0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 2999, 3000])(
    "equal the plain count with the read marker at seq %i",
    async (marker) => {
      await q("UPDATE conversation_members SET last_read_seq = $1 WHERE agent_id = $2", [
        marker,
        me,
      ]);
      const view = await store.chat.getConversation(me, "cnv_u");
      expect(view?.unread_count).toBe(await plainCount(marker));
    },
  );

  it("stay equal after more deletions", async () => {
    await q("UPDATE messages SET deleted_at = 2 WHERE seq % 5 = 0 AND deleted_at IS NULL");
    await q("UPDATE conversation_members SET last_read_seq = 500 WHERE agent_id = $1", [me]);
    const view = await store.chat.getConversation(me, "cnv_u");
    expect(view?.unread_count).toBe(await plainCount(500));
    expect(view?.unread_count).toBeGreaterThan(0);
  });
});

describe("per-member unread counters on PostgreSQL (migration 20261207T0000_member_unread_counts)", () => {
  const [a, b, c, d] = ["agt_ta", "agt_tb", "agt_tc", "agt_td"];
  const everyone = [a, b, c, d];
  let seq = 0;

  beforeAll(async () => {
    await q(
      `INSERT INTO agents (id, handle, display_name, created_at, updated_at)
       SELECT id, id, id, 0, 0 FROM unnest($1::text[]) AS id`,
      [everyone],
    );
    const group = await store.chat.createGroup(
      a,
      { id: "cnv_t", title: "t", description: null, member_ids: everyone },
      1,
    );
    expect(group.ok).toBe(true);
  });

  async function bulk(author: string, count: number): Promise<void> {
    await q(
      `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at)
       SELECT 'msg_t' || s, 'cnv_t', s, $1, 'x', 'text/plain', 0 FROM generate_series($2::bigint, $3::bigint) AS s`,
      [author, seq + 1, seq + count],
    );
    seq += count;
    await q("UPDATE conversations SET next_seq = $1 WHERE id = 'cnv_t'", [seq + 1]);
  }

  /** Every member's stored counter and view equal the plain count; returns them by agent. */
  async function check(): Promise<Record<string, number>> {
    const rows = await q<{ agent_id: string; unread_count: number; plain: number }>(
      `SELECT cm.agent_id, cm.unread_count,
         (SELECT count(*)::int FROM messages m WHERE m.conversation_id = 'cnv_t'
            AND m.seq > cm.last_read_seq AND m.deleted_at IS NULL AND m.author_id <> cm.agent_id
            AND m.author_id NOT IN (SELECT target_id FROM blocks
                                    WHERE blocker_id = cm.agent_id AND type = 'agent')) AS plain
       FROM conversation_members cm WHERE cm.conversation_id = 'cnv_t'`,
    );
    const counts: Record<string, number> = {};
    for (const row of rows) {
      expect(row.unread_count, row.agent_id).toBe(row.plain);
      const view = await store.chat.getConversation(row.agent_id, "cnv_t");
      expect(view?.unread_count).toBe(row.plain);
      counts[row.agent_id] = row.plain;
    }
    return counts;
  }

  it("follow every transition: marker both ways, block and unblock, deletes, edits, removal and re-add", async () => {
    await bulk(b, 1500);
    await bulk(c, 1200);
    await bulk(a, 10);
    expect(await check()).toEqual({ [a]: 2700, [b]: 1210, [c]: 1510, [d]: 2710 });

    expect(await store.chat.markRead(d, "cnv_t", "msg_t700")).toMatchObject({
      ok: true,
      value: { unread_count: 2010 },
    });
    await q("UPDATE conversation_members SET last_read_seq = 100 WHERE agent_id = $1", [d]);
    expect((await check())[d]).toBe(2610);
    await store.chat.markRead(d, "cnv_t", "msg_t2000");
    expect((await check())[d]).toBe(710);

    await store.blocks.blockAgent(d, c, "blk_t1", 2);
    expect((await check())[d]).toBe(10);
    await store.blocks.unblockAgent(d, c);
    expect((await check())[d]).toBe(710);

    await store.blocks.blockAgent(a, b, "blk_t2", 2);
    const before = await check();
    const sent = await store.chat.sendMessage(
      b,
      "cnv_t",
      {
        id: "msg_tlive",
        content: "hi",
        content_type: "text/plain",
        reply_to_id: null,
        metadata: null,
      },
      3,
    );
    expect(sent.ok).toBe(true);
    seq += 1;
    expect(await check()).toEqual({
      ...before,
      [c]: (before[c] ?? 0) + 1,
      [d]: (before[d] ?? 0) + 1,
    });

    expect(await store.chat.deleteMessage(c, "cnv_t", "msg_t2500", 4)).toMatchObject({ ok: true });
    expect(await store.chat.deleteMessage(a, "cnv_t", "msg_t2600", 4)).toMatchObject({ ok: true });
    const deleted = await check();
    expect(deleted[d]).toBe((before[d] ?? 0) - 1);
    await store.chat.deleteMessage(c, "cnv_t", "msg_t2500", 5);
    await store.chat.editMessage(c, "cnv_t", "msg_t2550", { content: "edited" }, 5);
    expect(await check()).toEqual(deleted);

    expect(await store.chat.removeMember(a, "cnv_t", d, 6)).toMatchObject({ ok: true });
    await bulk(b, 5);
    expect(await store.chat.addMember(a, "cnv_t", d, "member", 7)).toMatchObject({ ok: true });
    const readded = await check();
    expect(readded[d]).toBeGreaterThan(2000);
  });

  it("stay exact when sends, deletes, read markers and blocks of the same author race", async () => {
    await store.blocks.unblockAgent(a, b);
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      ops.push(
        store.chat.sendMessage(
          b,
          "cnv_t",
          {
            id: `msg_race${i}`,
            content: "r",
            content_type: "text/plain",
            reply_to_id: null,
            metadata: null,
          },
          10 + i,
        ),
      );
      if (i % 4 === 0) ops.push(store.blocks.blockAgent(d, b, `blk_race${i}`, 10 + i));
      if (i % 4 === 2) ops.push(store.blocks.unblockAgent(d, b));
      if (i % 5 === 1) ops.push(store.chat.deleteMessage(b, "cnv_t", `msg_t${2000 + i}`, 10 + i));
      if (i % 6 === 3) ops.push(store.chat.markRead(c, "cnv_t", `msg_t${2200 + i}`));
    }
    await Promise.all(ops);
    await check();
  });
});

describe("the message insert trigger on PostgreSQL (migration 20261207T0930_send_set_based)", () => {
  const [a, b, c] = ["agt_sa", "agt_sb", "agt_sc"];
  const conversations = ["cnv_s1", "cnv_s2"];

  beforeAll(async () => {
    // C blocks B; A has read cnv_s2 up to seq 1500 (before any message exists: counts start at 0).
    await seedThreeInGroups(q, {
      agents: [a, b, c],
      conversations,
      blockId: "blk_s",
      read: { conversation: "cnv_s2", seq: 1500 },
    });
  });

  it("counts one INSERT of many messages over conversations, authors and buckets as an insert each", async () => {
    // One statement: 2,100 messages into each conversation (three buckets), authors in turn,
    // every 9th inserted already deleted; created_at is not in seq order.
    await q(
      `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at, deleted_at)
       SELECT 'msg_' || cid || '_' || s, cid, s, ($1::text[])[s % 3 + 1], 'x', 'text/plain',
         1000 + (s * 11) % 2100, CASE WHEN s % 9 = 0 THEN 1 END
       FROM unnest($2::text[]) AS cid, generate_series(1, 2100) AS s`,
      [[a, b, c], conversations],
    );
    const members = await unreadRecount(q, conversations);
    expect(members).toHaveLength(6);
    for (const m of members) expect(m.ok, `${m.conversation_id} ${m.agent_id}`).toBe(true);
    // The bucket rows equal the plain counts (no row missing or extra either way).
    const r = await bucketRecount(q, conversations);
    const counts = {
      buckets: r.buckets && r.bucketRows === 6,
      authors: r.authors && r.authorRows === 18,
    };
    expect(counts).toEqual({ buckets: true, authors: true });
    // The conversation rows: one version per message, next_seq past the highest seq, activity
    // at the newest message's time (not the last row's).
    const rows = await q(
      `SELECT id, messages_version, next_seq, last_message_at, activity_at FROM conversations
       WHERE id = ANY($1) ORDER BY id`,
      [conversations],
    );
    expect(rows).toEqual(
      conversations.map((id) => ({
        id,
        messages_version: 2100,
        next_seq: 2101,
        last_message_at: 3099,
        activity_at: 3099,
      })),
    );
    // An older message inserted late moves nothing backwards.
    await q(
      `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at)
       VALUES ('msg_late', 'cnv_s1', 2101, $1, 'x', 'text/plain', 10)`,
      [a],
    );
    const [late] = await q(
      "SELECT next_seq, last_message_at, activity_at, messages_version FROM conversations WHERE id = 'cnv_s1'",
    );
    expect(late).toEqual({
      next_seq: 2102,
      last_message_at: 3099,
      activity_at: 3099,
      messages_version: 2101,
    });
  });
});
