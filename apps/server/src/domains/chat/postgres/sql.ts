import type { Query } from "../../../storage/postgres/database.js";
import {
  type ConversationRowBase,
  MESSAGE_COLUMNS,
  type MessageRow,
  NOT_BLOCKED_AUTHOR,
  toConversationRecord,
  toMessage,
} from "../rows.js";
import type { ConversationRecord } from "../store.js";

/** A conversation joined with the caller's membership and the caller's view of it. */
export interface ConversationRow extends ConversationRowBase {
  /** The newest message whose author the caller has not blocked (as JSON), or null. */
  last_message: MessageRow | null;
  unread_count: number;
}

/**
 * SELECT list + join for {@link ConversationRow}; bind `@caller`. The caller's view (last visible
 * message, unread count: the member's counter of migration 20261207T0000_member_unread_counts, 0 for a direct conversation the
 * caller blocked) comes in the same statement, one round trip per page; PostgreSQL evaluates
 * these subqueries after ORDER BY/LIMIT.
 */
export const CONVERSATION_SELECT = `
SELECT c.id, c.type, c.title, c.description, c.created_by, c.direct_low, c.direct_high,
       c.member_count, c.last_message_at, c.activity_at, c.created_at, c.updated_at,
       m.role, m.last_read_message_id,
       (SELECT row_to_json(x) FROM (SELECT ${MESSAGE_COLUMNS} FROM messages
          WHERE conversation_id = c.id AND ${NOT_BLOCKED_AUTHOR}
          ORDER BY seq DESC LIMIT 1) x) AS last_message,
       CASE WHEN c.type = 'direct' AND EXISTS (SELECT 1 FROM blocks WHERE blocker_id = @caller
              AND type = 'conversation' AND target_id = c.id) THEN 0
         ELSE m.unread_count END AS unread_count
FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
WHERE m.agent_id = @caller`;

/** Maps a {@link ConversationRow} to the caller's view. */
export function conversationView(row: ConversationRow): ConversationRecord {
  return toConversationRecord(
    row,
    row.last_message === null ? null : toMessage(row.last_message),
    row.unread_count,
  );
}

/** True when either agent blocks the other. */
export async function agentsBlockEitherWay(q: Query, a: string, b: string): Promise<boolean> {
  const rows = await q(
    `SELECT 1 FROM blocks WHERE type = 'agent'
     AND ((blocker_id = @a AND target_id = @b) OR (blocker_id = @b AND target_id = @a)) LIMIT 1`,
    { a, b },
  );
  return rows.length > 0;
}

/** Whether an agent exists and is active. */
export async function agentState(q: Query, id: string): Promise<"missing" | "inactive" | "active"> {
  const [row] = await q<{ deactivated_at: number | null }>(
    "SELECT deactivated_at FROM agents WHERE id = $1",
    [id],
  );
  if (row === undefined) return "missing";
  return row.deactivated_at === null ? "active" : "inactive";
}

/** The caller's view of one conversation, or undefined when the caller is not a member. */
export async function viewOf(
  q: Query,
  caller: string,
  id: string,
): Promise<ConversationRecord | undefined> {
  const [row] = await q<ConversationRow>(`${CONVERSATION_SELECT} AND c.id = @id`, { caller, id });
  return row === undefined ? undefined : conversationView(row);
}

/**
 * Locks a conversation row for the rest of the transaction, so membership and role changes of
 * one conversation (on any instance) run one after the other and checks like "sole owner" stay true.
 */
export async function lockConversation(q: Query, id: string): Promise<void> {
  await q("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE", [id]);
}
