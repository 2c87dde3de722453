import { toNullableTimestamp, toTimestamp } from "../../platform/clock.js";
import type {
  ContentType,
  ConversationRecord,
  MemberRecord,
  MessageRecord,
  Role,
} from "./store.js";

/**
 * The chat tables' rows as both backends read them, and their mapping to the domain records.
 * Rules (who may do what) are in rules.ts; the SQL is in sqlite/ and postgres/.
 */

/**
 * SQL condition: the message's author is not blocked by `@caller`. Both backends bind named
 * parameters (`@caller`), so the text is the same.
 */
export const NOT_BLOCKED_AUTHOR =
  "author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = @caller AND type = 'agent')";

/**
 * Seqs per bucket of the message counters (PostgreSQL's `message_counts`; SQLite's
 * `message_bucket_counts` since 20261207T1530_message_counts_folded). Both backends' migration 011
 * repeat the 1024.
 */
export const COUNT_BUCKET = 1024;

/** A `messages` row as stored (`metadata` is JSON text, times are epoch ms). */
export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  author_id: string;
  content: string | null;
  content_type: ContentType;
  reply_to_id: string | null;
  metadata: string | null;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
}

/**
 * The columns of {@link MessageRow}, in its order (SQLite's `.raw()` page reads and its
 * `MessageValues` tuple rely on the order).
 */
export const MESSAGE_COLUMNS =
  "id, conversation_id, seq, author_id, content, content_type, reply_to_id, metadata, created_at, edited_at, deleted_at";

/** Turns a stored message into its API shape. */
export function toMessage(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    seq: row.seq,
    author_id: row.author_id,
    content: row.content,
    content_type: row.content_type,
    reply_to_id: row.reply_to_id,
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, unknown>),
    created_at: toTimestamp(row.created_at),
    edited_at: toNullableTimestamp(row.edited_at),
    deleted_at: toNullableTimestamp(row.deleted_at),
  };
}

/** The caller's membership in a conversation, as member management reads it. */
export interface Membership {
  type: "direct" | "group";
  role: Role;
  member_count: number;
}

/** A `conversation_members` row as member listings read it (`joined_at` epoch ms). */
export interface MemberRow {
  agent_id: string;
  role: Role;
  joined_at: number;
}

/** Turns a member row into its API shape. */
export function toMember(row: MemberRow): MemberRecord {
  return { agent_id: row.agent_id, role: row.role, joined_at: toTimestamp(row.joined_at) };
}

/**
 * A conversation joined with the caller's membership: the columns both backends select. Each
 * adds how it gets the caller's view (SQLite: `last_read_seq`, then follow-up statements;
 * PostgreSQL: `last_message` and `unread_count` computed in the same statement).
 */
export interface ConversationRowBase {
  id: string;
  type: "direct" | "group";
  title: string | null;
  description: string | null;
  created_by: string;
  direct_low: string | null;
  direct_high: string | null;
  member_count: number;
  last_message_at: number | null;
  activity_at: number;
  created_at: number;
  updated_at: number;
  role: Role;
  last_read_message_id: string | null;
}

/** Builds the caller's view of a conversation row, given its last visible message and unread count. */
export function toConversationRecord(
  row: ConversationRowBase,
  lastMessage: MessageRecord | null,
  unreadCount: number,
): ConversationRecord {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    description: row.description,
    created_by: row.created_by,
    member_count: row.member_count,
    created_at: toTimestamp(row.created_at),
    updated_at: toTimestamp(row.updated_at),
    last_message_at: toNullableTimestamp(row.last_message_at),
    last_message: lastMessage,
    unread_count: unreadCount,
    last_read_message_id: row.last_read_message_id,
    role: row.role,
  };
}
