/** The Chat and Blocks resources in their API shape, as the stores return them. */

/** A member's role in a group, strongest first. Direct conversations only use `member`. */
export type Role = "owner" | "admin" | "member";

/** Numeric rank of a role: higher is stronger. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { owner: 3, admin: 2, member: 1 };

/** How a message's `content` is to be read. */
export type ContentType = "text/plain" | "text/markdown" | "application/json";

/** A stored message as the API shows it. */
export interface MessageRecord {
  id: string;
  conversation_id: string;
  seq: number;
  author_id: string;
  content: string | null;
  content_type: ContentType;
  reply_to_id: string | null;
  metadata: Record<string, unknown> | null;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
}

/** A conversation seen by one member (the last four fields are that member's view). */
export interface ConversationRecord {
  id: string;
  type: "direct" | "group";
  title: string | null;
  description: string | null;
  created_by: string;
  member_count: number;
  created_at: string;
  updated_at: string;
  last_message_at: string | null;
  last_message: MessageRecord | null;
  unread_count: number;
  last_read_message_id: string | null;
  role: Role;
}

/** One membership as the API shows it. */
export interface MemberRecord {
  agent_id: string;
  role: Role;
  joined_at: string;
}
