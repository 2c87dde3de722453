type Q = <T = unknown>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * The PostgreSQL chat tests' shared seed of three agents in group conversations (test code only):
 * every agent a member of every conversation, created by the first; the third agent blocks the
 * second; the first agent's read marker set in one conversation.
 */
export async function seedThreeInGroups(
  q: (sql: string, params?: unknown[]) => Promise<unknown>,
  {
    agents: [a, b, c],
    conversations,
    nextSeq = 1,
    blockId,
    read,
  }: {
    agents: readonly [string, string, string];
    conversations: readonly string[];
    /** The conversations' next seq (the column's default, 1, unless given). */
    nextSeq?: number;
    blockId: string;
    read: { conversation: string; seq: number };
  },
): Promise<void> {
  await q(
    `INSERT INTO agents (id, handle, display_name, created_at, updated_at)
     SELECT id, id, id, 0, 0 FROM unnest($1::text[]) AS id`,
    [[a, b, c]],
  );
  await q(
    `INSERT INTO conversations (id, type, title, created_by, member_count, next_seq, activity_at, created_at, updated_at)
     SELECT id, 'group', id, $1, 3, $3, 50, 0, 0 FROM unnest($2::text[]) AS id`,
    [a, conversations, nextSeq],
  );
  await q(
    `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
     SELECT cid, aid, 'member', 0 FROM unnest($1::text[]) AS cid, unnest($2::text[]) AS aid`,
    [conversations, [a, b, c]],
  );
  await q(
    "INSERT INTO blocks (id, blocker_id, type, target_id, created_at) VALUES ($1, $2, 'agent', $3, 0)",
    [blockId, c, b],
  );
  await q(
    "UPDATE conversation_members SET last_read_seq = $1 WHERE conversation_id = $2 AND agent_id = $3",
    [read.seq, read.conversation, a],
  );
}

/**
 * Every member of `conversations` with whether its `unread_count` equals the plain count of the
 * others' live messages past its read marker from authors it does not block (test code only).
 */
export function unreadRecount(
  q: Q,
  conversations: readonly string[],
): Promise<{ conversation_id: string; agent_id: string; ok: boolean }[]> {
  return q(
    `SELECT cm.conversation_id, cm.agent_id, cm.unread_count = (SELECT count(*) FROM messages m
         WHERE m.conversation_id = cm.conversation_id AND m.seq > cm.last_read_seq
           AND m.deleted_at IS NULL AND m.author_id <> cm.agent_id
           AND m.author_id NOT IN (SELECT target_id FROM blocks
                                   WHERE blocker_id = cm.agent_id AND type = 'agent')) AS ok
     FROM conversation_members cm WHERE cm.conversation_id = ANY($1)`,
    [conversations],
  );
}

/**
 * Whether the bucket rows (`message_counts`) and the per-author bucket rows
 * (`message_author_counts`) of `conversations` equal a recount from `messages`, no row missing or
 * extra either way, and how many rows each holds (test code only).
 */
export async function bucketRecount(
  q: Q,
  conversations: readonly string[],
): Promise<{ buckets: boolean; authors: boolean; bucketRows: number; authorRows: number }> {
  const [r] = await q<{
    buckets: boolean;
    authors: boolean;
    bucket_rows: number;
    author_rows: number;
  }>(
    `WITH b AS (SELECT conversation_id, bucket, live FROM message_counts
         WHERE conversation_id = ANY($1)),
       pb AS (SELECT conversation_id, seq / 1024 AS bucket, count(*)::int AS live FROM messages
         WHERE conversation_id = ANY($1) AND deleted_at IS NULL GROUP BY 1, 2),
       a AS (SELECT conversation_id, author_id, bucket, live FROM message_author_counts
         WHERE conversation_id = ANY($1)),
       pa AS (SELECT conversation_id, author_id, seq / 1024 AS bucket, count(*)::int AS live
         FROM messages WHERE conversation_id = ANY($1) AND deleted_at IS NULL GROUP BY 1, 2, 3)
     SELECT NOT EXISTS (SELECT * FROM b EXCEPT SELECT * FROM pb)
         AND NOT EXISTS (SELECT * FROM pb EXCEPT SELECT * FROM b) AS buckets,
       NOT EXISTS (SELECT * FROM a EXCEPT SELECT * FROM pa)
         AND NOT EXISTS (SELECT * FROM pa EXCEPT SELECT * FROM a) AS authors,
       (SELECT count(*)::int FROM b) AS bucket_rows, (SELECT count(*)::int FROM a) AS author_rows`,
    [conversations],
  );
  if (!r) throw new Error("no recount row");
  return {
    buckets: r.buckets,
    authors: r.authors,
    bucketRows: r.bucket_rows,
    authorRows: r.author_rows,
  };
}
