import type { DeferredSession } from "../../platform/env.js";
import type { Outcome } from "../../platform/outcome.js";
import type { KeysetPage as Page } from "../../platform/pagination.js";
import type {
  ContentType,
  ConversationRecord,
  MemberRecord,
  MessageRecord,
  Role,
} from "./records.js";

export type { Outcome, Refusal } from "../../platform/outcome.js";
export type { KeysetPage as Page } from "../../platform/pagination.js";
export {
  type ContentType,
  type ConversationRecord,
  type MemberRecord,
  type MessageRecord,
  ROLE_RANK,
  type Role,
} from "./records.js";

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

/**
 * A page of messages as JSON text: `json` is the API's `data` array (each element a `Message` as
 * `JSON.stringify` writes it); `next` is the seq to continue from, or null at the end.
 */
export interface MessageJsonPage {
  json: string;
  next: number | null;
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
  /** Gets or creates the direct conversation of the pair (`created` tells which). */
  openDirect(
    caller: string,
    other: string,
    id: string,
    now: number,
  ): Promise<Outcome<{ conversation: ConversationRecord; created: boolean }>>;
  /** Creates a group owned by `caller`; invitees in a block with the caller are `skipped`. */
  createGroup(
    caller: string,
    input: { id: string; title: string; description: string | null; member_ids: string[] },
    now: number,
  ): Promise<Outcome<{ conversation: ConversationRecord; skipped: string[] }>>;
  /**
   * The caller's visible conversations, latest activity first, after `after`. A store that keeps
   * pages (SQLite's list cache) may answer with the same page object again while nothing on it
   * changed; such a page is frozen, and a changed list is always a new object.
   */
  listConversations(
    caller: string,
    after: ConversationKey | null,
    limit: number,
  ): Promise<Page<ConversationRecord, ConversationKey>>;
  /** The caller's view of a conversation, or null when the caller is not a member. */
  getConversation(caller: string, id: string): Promise<ConversationRecord | null>;
  /** Changes a group's title/description (owner or admin). */
  updateConversation(
    caller: string,
    id: string,
    patch: { title?: string; description?: string | null },
    now: number,
  ): Promise<Outcome<ConversationRecord>>;
  /** A group's members by (joined_at, agent_id). */
  listMembers(
    caller: string,
    id: string,
    after: MemberKey | null,
    limit: number,
  ): Promise<Outcome<Page<MemberRecord, MemberKey>>>;
  /** Adds `agent` with `role` (admin+; no role above the caller's; blocks refuse). */
  addMember(
    caller: string,
    id: string,
    agent: string,
    role: Role,
    now: number,
  ): Promise<Outcome<MemberRecord>>;
  /** Sets a member's role under the rank rules (see the spec's updateMember). */
  updateMember(
    caller: string,
    id: string,
    agent: string,
    role: Role,
  ): Promise<Outcome<MemberRecord>>;
  /** Removes a member ranked strictly below the caller. */
  removeMember(caller: string, id: string, agent: string, now: number): Promise<Outcome<null>>;
  /** The caller leaves a group (the sole owner only when alone). */
  leave(caller: string, id: string, now: number): Promise<Outcome<null>>;
  /** Resolves a `before`/`after` message id to its position in a conversation the caller can read. */
  locateMessage(
    caller: string,
    conversation: string,
    message: string,
  ): Promise<Outcome<MessagePosition | null>>;
  /**
   * Stores a message with the conversation's next `seq`, in the same transaction. With `session`
   * (stores whose auth store `foldsSessionCheck`), the caller's session is checked in that
   * transaction too: a dead one throws the guard's 401 and nothing is written.
   */
  sendMessage(
    caller: string,
    conversation: string,
    message: NewMessage,
    now: number,
    session?: DeferredSession,
  ): Promise<Outcome<MessageRecord>>;
  /**
   * One page of messages in `window`, leaving out authors the caller blocked, already serialized:
   * the store may serve it from JSON it keeps (SQLite keeps recent messages' JSON in memory).
   * `session`: checked by the page's own access statement, as for {@link sendMessage}.
   */
  listMessages(
    caller: string,
    conversation: string,
    window: MessageWindow,
    limit: number,
    session?: DeferredSession,
  ): Promise<Outcome<MessageJsonPage>>;
  /** One message of the conversation (404 for blocked authors and other conversations). */
  getMessage(
    caller: string,
    conversation: string,
    message: string,
  ): Promise<Outcome<MessageRecord>>;
  /** Author-only edit; a deleted message is refused. */
  editMessage(
    caller: string,
    conversation: string,
    message: string,
    edit: MessageEdit,
    now: number,
  ): Promise<Outcome<MessageRecord>>;
  /** Tombstones a message (author, or group owner/admin); idempotent. */
  deleteMessage(
    caller: string,
    conversation: string,
    message: string,
    now: number,
  ): Promise<Outcome<MessageRecord>>;
  /** Moves the caller's read marker forward to `message` and returns the unread count. */
  markRead(
    caller: string,
    conversation: string,
    message: string,
  ): Promise<Outcome<{ last_read_message_id: string | null; unread_count: number }>>;
}
