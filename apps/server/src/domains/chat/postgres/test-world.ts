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
