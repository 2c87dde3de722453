import type { ContentType, MessageRecord } from "../../domains/chat/store.js";
import { toNullableTimestamp, toTimestamp } from "../../platform/clock.js";

/**
 * SQL condition: the message's author is not blocked by `@caller`. Both backends bind named
 * parameters (`@caller`), so the text is the same.
 */
export const NOT_BLOCKED_AUTHOR =
  "author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = @caller AND type = 'agent')";

/** Seqs per bucket of `message_counts` (both backends' migration 011 repeat the 1024). */
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
