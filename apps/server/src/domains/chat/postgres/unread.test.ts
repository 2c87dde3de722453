import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPostgresStore } from "../../../storage/postgres/test-store.js";

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
