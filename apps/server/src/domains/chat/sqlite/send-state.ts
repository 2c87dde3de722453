import type { SqliteDatabase } from "../../../storage/sqlite/database.js";
import { UnreportedChanges } from "../../../storage/sqlite/hot-cache.js";
import type { Recipients } from "../../events/sqlite-store.js";
import type { MessageAccess } from "../rules.js";
import { conversationListCache } from "./list-cache.js";

/** What a send needs to know about its conversation, kept between sends. */
export interface ConversationSendState {
  type: MessageAccess["type"];
  direct_low: string | null;
  direct_high: string | null;
  /** The next message's seq (`conversations.next_seq`). */
  next_seq: number;
  /** `conversations.messages_version` (see message-tail.ts). */
  messages_version: number;
  /** Direct conversations: a block either way between the pair, or of the conversation. */
  blocked: boolean;
  /** Members known to this process, with their roles (only positive answers are kept). */
  roles: Map<string, MessageAccess["role"]>;
  /**
   * Who a `message.created` event by each author reaches (the members minus those blocking the
   * conversation or the author), read on an author's first send: a warm send's event is a plain
   * INSERT, not a read of every member row and their blocks.
   */
  recipients: Map<string, Recipients>;
}

/** Most conversations kept (the oldest filled is dropped past it). */
const CAPACITY = 10_000;

/**
 * The send path's reads kept in memory by the process that owns the SQLite connection: the
 * caller's membership and role, the conversation's type, `next_seq` and `messages_version`, and
 * (direct conversations) whether a block stands between the pair, and who its events reach. A
 * send that finds its conversation and caller here runs no SELECT: one INSERT into `messages` and
 * one into `events`.
 *
 * Only ever used inside a write transaction, and correct because:
 * - it is checked once per write transaction, under the write lock ({@link validate}): when
 *   another connection committed (`PRAGMA data_version`), this connection changed rows outside
 *   declared writes ({@link SqliteDatabase.undeclaredChanges}), or the connection was reopened,
 *   everything is dropped, so another process's membership or block change is seen by the next
 *   send;
 * - every chat and blocks write of this process other than a send (and a read marker, which
 *   changes nothing here) drops everything when it starts (the list cache's `tracked`);
 * - a send moves `next_seq` and `messages_version` itself, as the insert's trigger does in the
 *   same transaction, and a write that fails (or a transaction that does not commit) drops
 *   everything before anything else runs ({@link SqliteDatabase.onWriteFailure}): a seq is never
 *   taken from a rolled-back send.
 * The messages key (conversation_id, seq) would refuse a stale seq rather than store it.
 */
export class SendState {
  private readonly conversations = new Map<string, ConversationSendState>();
  private serial = -1;
  private readonly changes: UnreportedChanges;
  /** Off: every lookup misses and nothing is kept (the bench's "before"). */
  enabled = true;

  constructor(private readonly db: SqliteDatabase) {
    this.changes = new UnreportedChanges(db);
    db.onWriteFailure(() => this.clear());
    conversationListCache(db).onWrite(() => this.clear());
  }

  /** Call inside a write transaction before {@link get}: drops everything another writer made stale. */
  validate(): void {
    if (!this.enabled || this.db.transactionSerial === this.serial) return;
    this.serial = this.db.transactionSerial;
    if (this.changes.check()) this.clear();
  }

  get(conversation: string): ConversationSendState | undefined {
    if (!this.enabled) return undefined;
    return this.conversations.get(conversation);
  }

  set(conversation: string, state: ConversationSendState): void {
    if (!this.enabled) return;
    this.conversations.set(conversation, state);
    if (this.conversations.size > CAPACITY) {
      const oldest = this.conversations.keys().next().value as string;
      this.conversations.delete(oldest);
    }
  }

  clear(): void {
    this.conversations.clear();
    // A change epoch may have moved with the write that cleared: look again next time.
    this.serial = -1;
  }

  /** Conversations held (for tests). */
  get size(): number {
    return this.conversations.size;
  }
}

const byDatabase = new WeakMap<SqliteDatabase, SendState>();

/** The send state of a connection (shared by its chat stores). */
export function sendState(db: SqliteDatabase): SendState {
  let state = byDatabase.get(db);
  if (state === undefined) {
    state = new SendState(db);
    byDatabase.set(db, state);
  }
  return state;
}
