import type Database from "better-sqlite3";
import { toNullableTimestamp, toTimestamp } from "../../../platform/clock.js";
import type { SqliteDatabase } from "../../../storage/sqlite/database.js";
import {
  COUNT_BUCKET,
  type ConversationRowBase,
  MESSAGE_COLUMNS,
  type MessageRow,
  NOT_BLOCKED_AUTHOR,
  toConversationRecord,
  toMessage,
} from "../rows.js";
import type { ContentType, ConversationRecord, MessageRecord } from "../store.js";

/** Re-exported for the SQLite tests that build their own queries from them. */
export { COUNT_BUCKET, NOT_BLOCKED_AUTHOR };

/** The shared connection wrapper (cached statements, BEGIN IMMEDIATE writes). */
export type Db = SqliteDatabase;

/** A cached prepared statement by SQL text. */
export type Stmt = (sql: string) => Database.Statement<unknown[], unknown>;

/**
 * The hot queries. Pages are read with `.raw()` (arrays, in {@link MESSAGE_COLUMNS} order, as
 * {@link toMessageFromValues} reads them): better-sqlite3 builds row objects column by column,
 * which cost ~30 % of a 50-message page's query-and-map time in the bench profile. Exported so
 * a test can pin their query plans: each must walk an index by (conversation_id, seq) and cost
 * what it returns, whatever the conversation's size.
 */
export const MESSAGE_PAGE_DESC_SQL = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = @id
  AND seq < @seq AND ${NOT_BLOCKED_AUTHOR} ORDER BY seq DESC LIMIT @limit`;

/** Oldest-first page after a position (`after` catch-up). */
export const MESSAGE_PAGE_ASC_SQL = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = @id
  AND seq > @seq AND ${NOT_BLOCKED_AUTHOR} ORDER BY seq ASC LIMIT @limit`;

/** The newest message `@caller` can see. */
export const LAST_VISIBLE_MESSAGE_SQL = `SELECT * FROM messages WHERE conversation_id = @id
  AND ${NOT_BLOCKED_AUTHOR} ORDER BY seq DESC LIMIT 1`;

/**
 * Others' live messages in the marker's own bucket, after the marker (`@seq` < seq < `@edge`),
 * leaving out blocked authors: at most 1,023 rows of the messages key range (conversation_id, seq).
 */
export const UNREAD_PARTIAL_SQL = `SELECT count(*) AS n FROM messages
  WHERE conversation_id = @id AND seq > @seq AND seq < @edge AND deleted_at IS NULL
    AND author_id <> @caller AND ${NOT_BLOCKED_AUTHOR}`;

/**
 * Live messages of every full bucket from `@bucket` on, leaving out the caller's own and blocked
 * authors' (`message_bucket_counts`: one row per conversation, bucket and author, chat migration
 * 20261207T1530_message_counts_folded).
 */
export const UNREAD_BUCKETS_SQL = `SELECT coalesce(sum(live), 0) AS n FROM message_bucket_counts
  WHERE conversation_id = @id AND bucket >= @bucket AND author_id <> @caller
    AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = @caller AND type = 'agent')`;

/**
 * Whether `@author` has a counter row (has written) in conversation `@id`: the block triggers'
 * test for which of the blocker's memberships to recompute.
 */
export const AUTHOR_WROTE_SQL = `SELECT 1 FROM message_bucket_counts
  WHERE author_id = @author AND conversation_id = @id`;

/**
 * Unread messages after `seq` for `caller`: own, deleted and blocked authors' messages left
 * out. Costs O(rows of the buckets after the marker + one partial bucket), not O(unread). The
 * member triggers of chat migration 20261207T1530 compute the same sum.
 */
export function unreadCount(stmt: Stmt, id: string, caller: string, seq: number): number {
  const bucket = Math.floor(seq / COUNT_BUCKET) + 1;
  const edge = bucket * COUNT_BUCKET;
  const n = (sql: string, params: Record<string, unknown>) =>
    (stmt(sql).get(params) as { n: number }).n;
  return (
    n(UNREAD_PARTIAL_SQL, { id, seq, edge, caller }) + n(UNREAD_BUCKETS_SQL, { id, bucket, caller })
  );
}

/** A message page row read with `.raw()`: the values of {@link MESSAGE_COLUMNS}, in order. */
export type MessageValues = [
  id: string,
  conversation_id: string,
  seq: number,
  author_id: string,
  content: string | null,
  content_type: ContentType,
  reply_to_id: string | null,
  metadata: string | null,
  created_at: number,
  edited_at: number | null,
  deleted_at: number | null,
];

/** {@link toMessage} for a page row read as values. */
export function toMessageFromValues(v: MessageValues): MessageRecord {
  return {
    id: v[0],
    conversation_id: v[1],
    seq: v[2],
    author_id: v[3],
    content: v[4],
    content_type: v[5],
    reply_to_id: v[6],
    metadata: v[7] === null ? null : (JSON.parse(v[7]) as Record<string, unknown>),
    created_at: toTimestamp(v[8]),
    edited_at: toNullableTimestamp(v[9]),
    deleted_at: toNullableTimestamp(v[10]),
  };
}

/** A conversation joined with the caller's membership, with the read marker's seq. */
export interface ConversationRow extends ConversationRowBase {
  last_read_seq: number;
  /** The member's unread count, kept by migration 20261207T0000_member_unread_counts's triggers (equal to {@link unreadCount}). */
  unread_count: number;
}

/** SELECT list + join for {@link ConversationRow}; bind `@caller`. */
export const CONVERSATION_SELECT = `
SELECT c.id, c.type, c.title, c.description, c.created_by, c.direct_low, c.direct_high,
       c.member_count, c.last_message_at, c.activity_at, c.created_at, c.updated_at,
       m.role, m.last_read_seq, m.last_read_message_id, m.unread_count
FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
WHERE m.agent_id = @caller`;

/**
 * The caller's conversation list page without the last messages: one statement, with
 * the conversation's `messages_version`: the list takes each last message from its
 * `LastMessages` cache at that version (a miss reads {@link NEWEST_MESSAGE_SQL}). Unread counts
 * are the member rows' counters (migration 20261207T0000_member_unread_counts), not three counting subqueries per row; the
 * last message was a correlated subquery returning JSON that was parsed back, about a third of
 * the page's cost once the counts were a column. Conversations the caller blocked are left out
 * (so none is "hidden": unread is never zeroed). Bind `@caller`, `@after_at`, `@after_id`,
 * `@limit`.
 */
export const CONVERSATION_LIST_SQL = `
SELECT c.id, c.type, c.title, c.description, c.created_by, c.direct_low, c.direct_high,
       c.member_count, c.last_message_at, c.activity_at, c.created_at, c.updated_at,
       m.role, m.last_read_seq, m.last_read_message_id, m.unread_count, c.messages_version
FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
WHERE m.agent_id = @caller
  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = @caller
                  AND b.type = 'conversation' AND b.target_id = c.id)
  AND (@after_at IS NULL OR (c.activity_at, c.id) < (@after_at, @after_id))
ORDER BY c.activity_at DESC, c.id DESC LIMIT @limit`;

/** A row of {@link CONVERSATION_LIST_SQL}. */
export interface ConversationListRow extends ConversationRow {
  messages_version: number;
}

/** A conversation's newest message, whoever wrote it. */
export const NEWEST_MESSAGE_SQL = `SELECT * FROM messages WHERE conversation_id = @id
  ORDER BY seq DESC LIMIT 1`;

/** The agents `@caller` blocks. */
export const BLOCKED_AGENTS_SQL =
  "SELECT target_id FROM blocks WHERE blocker_id = @caller AND type = 'agent'";

/** Computes the caller's view (last visible message, unread count) of a conversation row. */
export function conversationView(
  stmt: Stmt,
  row: ConversationRow,
  caller: string,
): ConversationRecord {
  const last = stmt(LAST_VISIBLE_MESSAGE_SQL).get({ id: row.id, caller }) as MessageRow | undefined;
  const hidden =
    row.type === "direct" &&
    stmt(
      "SELECT 1 FROM blocks WHERE blocker_id = @caller AND type = 'conversation' AND target_id = @id",
    ).get({ caller, id: row.id }) !== undefined;
  const unread = hidden ? 0 : row.unread_count;
  return toConversationRecord(row, last === undefined ? null : toMessage(last), unread);
}

/** True when either agent blocks the other. */
export function agentsBlockEitherWay(stmt: Stmt, a: string, b: string): boolean {
  return (
    stmt(
      `SELECT 1 FROM blocks WHERE type = 'agent'
       AND ((blocker_id = @a AND target_id = @b) OR (blocker_id = @b AND target_id = @a)) LIMIT 1`,
    ).get({ a, b }) !== undefined
  );
}
