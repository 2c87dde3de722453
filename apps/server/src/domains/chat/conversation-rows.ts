import type { ConversationRecord, MessageRecord, Role } from "../../domains/chat/store.js";
import { toNullableTimestamp, toTimestamp } from "../../platform/clock.js";

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

/** The refusal when the other agent of a direct conversation is deactivated. */
export const AGENT_DEACTIVATED = {
  ok: false,
  code: "invalid",
  path: "body.agent_id",
  message: "the agent is deactivated",
} as const;

/**
 * Why the caller may not change a conversation's title or description, or undefined when they
 * may: direct conversations have neither, and plain members of a group cannot edit it.
 */
export function conversationEditRefusal(view: ConversationRecord) {
  if (view.type === "direct") {
    return {
      ok: false,
      code: "invalid",
      path: "path.conversation_id",
      message: "a direct conversation has no title or description",
    } as const;
  }
  if (view.role === "member") return { ok: false, code: "forbidden" } as const;
  return undefined;
}
