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

/** A block as the API shows it. */
export interface BlockRecord {
  id: string;
  type: "agent" | "conversation";
  target_id: string;
  created_at: string;
}

/**
 * Why a store operation refused. The store decides inside its write transaction, so the
 * answer cannot go stale between check and write; the handler maps each reason to a status.
 * `invalid` carries the request path it blames (e.g. `body.agent_id`).
 */
export type Refusal =
  | { code: "not_found" }
  | { code: "invalid"; path: string; message: string; more?: { path: string; message: string }[] }
  | { code: "blocked" }
  | { code: "forbidden" }
  | { code: "already_member" }
  | { code: "not_a_member" }
  | { code: "last_owner" }
  | { code: "not_message_author" }
  | { code: "message_deleted" };

/** Either a value or a refusal. */
export type Outcome<T> = { ok: true; value: T } | ({ ok: false } & Refusal);

/** A keyset position for the conversation list: (activity, id), both descending. */
export interface ConversationKey {
  /** Epoch ms of the last message, else of creation. */
  activity_at: number;
  id: string;
}

/** A keyset position for member lists: (joined_at, agent_id), ascending. */
export interface MemberKey {
  joined_at: number;
  agent_id: string;
}

/** A keyset position for block lists: (created_at, id), descending. */
export interface BlockKey {
  created_at: number;
  id: string;
}

/** One page of rows; `next` is the keyset position after the last row, null on the last page. */
export interface Page<T, K> {
  rows: T[];
  next: K | null;
}

/** Where a message page starts: strictly below `seq` (newest first) or above it (oldest first). */
export interface MessageWindow {
  direction: "desc" | "asc";
  /** Exclusive bound; null = from the newest message (only for `desc`). */
  seq: number | null;
}

/** Resolved position of a message named by `before`/`after`. */
export interface MessagePosition {
  seq: number;
}

/** Input to send a message. */
export interface NewMessage {
  id: string;
  content: string;
  content_type: ContentType;
  reply_to_id: string | null;
  metadata: Record<string, unknown> | null;
}

/** Changes for an edit; at least one is set. */
export interface MessageEdit {
  content?: string;
  metadata?: Record<string, unknown> | null;
}

/** Storage for conversations, members, messages and read markers. All methods run in one transaction each. */
export interface ChatStore {
  openDirect(
    caller: string,
    other: string,
    id: string,
    now: number,
  ): Promise<Outcome<{ conversation: ConversationRecord; created: boolean }>>;
  createGroup(
    caller: string,
    input: { id: string; title: string; description: string | null; member_ids: string[] },
    now: number,
  ): Promise<Outcome<{ conversation: ConversationRecord; skipped: string[] }>>;
  listConversations(
    caller: string,
    after: ConversationKey | null,
    limit: number,
  ): Promise<Page<ConversationRecord, ConversationKey>>;
  getConversation(caller: string, id: string): Promise<ConversationRecord | null>;
  updateConversation(
    caller: string,
    id: string,
    patch: { title?: string; description?: string | null },
    now: number,
  ): Promise<Outcome<ConversationRecord>>;
  listMembers(
    caller: string,
    id: string,
    after: MemberKey | null,
    limit: number,
  ): Promise<Outcome<Page<MemberRecord, MemberKey>>>;
  addMember(
    caller: string,
    id: string,
    agent: string,
    role: Role,
    now: number,
  ): Promise<Outcome<MemberRecord>>;
  updateMember(
    caller: string,
    id: string,
    agent: string,
    role: Role,
  ): Promise<Outcome<MemberRecord>>;
  removeMember(caller: string, id: string, agent: string, now: number): Promise<Outcome<null>>;
  leave(caller: string, id: string, now: number): Promise<Outcome<null>>;
  /** Resolves a `before`/`after` message id to its position in a conversation the caller can read. */
  locateMessage(
    caller: string,
    conversation: string,
    message: string,
  ): Promise<Outcome<MessagePosition | null>>;
  sendMessage(
    caller: string,
    conversation: string,
    message: NewMessage,
    now: number,
  ): Promise<Outcome<MessageRecord>>;
  listMessages(
    caller: string,
    conversation: string,
    window: MessageWindow,
    limit: number,
  ): Promise<Outcome<Page<MessageRecord, number>>>;
  getMessage(
    caller: string,
    conversation: string,
    message: string,
  ): Promise<Outcome<MessageRecord>>;
  editMessage(
    caller: string,
    conversation: string,
    message: string,
    edit: MessageEdit,
    now: number,
  ): Promise<Outcome<MessageRecord>>;
  deleteMessage(
    caller: string,
    conversation: string,
    message: string,
    now: number,
  ): Promise<Outcome<MessageRecord>>;
  markRead(
    caller: string,
    conversation: string,
    message: string,
  ): Promise<Outcome<{ last_read_message_id: string | null; unread_count: number }>>;
}
