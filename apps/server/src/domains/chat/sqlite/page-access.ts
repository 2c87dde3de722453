import type { SqliteDatabase } from "../../../storage/sqlite/database.js";
import { conversationListCache } from "./list-cache.js";

/** What a message page needs to know before it picks messages: see {@link PageAccessCache}. */
export interface PageAccess {
  /** `conversations.messages_version` (see message-tail.ts). */
  messages_version: number;
  /** The agents the caller blocked (their messages are left out of its pages), or null. */
  blocked: ReadonlySet<string> | null;
}

/** One conversation's kept facts: its version and the members seen reading it. */
interface Kept {
  version: number;
  /** Member → the agents that member blocked (only positive answers are kept). */
  readers: Map<string, ReadonlySet<string> | null>;
}

/** Most conversations kept (the oldest filled is dropped past it). */
const CAPACITY = 10_000;

/**
 * The read side's copy of a message page's access facts (the caller's membership, the
 * conversation's `messages_version`, the agents the caller blocked), kept by the process that owns
 * the SQLite connection so a page served from the message tail runs no statement at all.
 *
 * These facts gate access, so the copy must never outlive a change:
 * - another connection's commit (another process writing the file): `PRAGMA data_version`
 *   moved, read through {@link SqliteDatabase.sharedDataVersion}, so every request received after
 *   the commit finds everything dropped; a reopened connection starts over too;
 * - this process's chat and blocks writes all run through the list cache's `tracked`: every one
 *   that may change memberships, blocks or a conversation's row (all but sends and read markers)
 *   drops everything as it starts ({@link ConversationListCache.onWrite}), and a send drops its
 *   conversation ({@link ConversationListCache.onConversationTouched}), whose `messages_version`
 *   its insert moves. Both happen inside the write, before COMMIT, and better-sqlite3 is
 *   synchronous, so no read runs between the drop and the commit.
 * A fill reads the rows in the same synchronous step as the lookup that missed.
 */
export class PageAccessCache {
  private readonly conversations = new Map<string, Kept>();
  private version = Number.NaN;
  private generation = -1;
  /** Off: every lookup misses and nothing is kept (the bench's "before"). */
  enabled = true;

  constructor(private readonly db: SqliteDatabase) {
    const lists = conversationListCache(db);
    lists.onWrite(() => this.clear());
    lists.onConversationTouched((conversation) => this.conversations.delete(conversation));
  }

  /** The kept facts of `caller` in `conversation`, or undefined (not kept: read them). */
  get(caller: string, conversation: string): PageAccess | undefined {
    if (!this.enabled) return undefined;
    const version = this.db.sharedDataVersion();
    if (version !== this.version || this.db.generation !== this.generation) {
      this.conversations.clear();
      this.version = version;
      this.generation = this.db.generation;
      return undefined;
    }
    const kept = this.conversations.get(conversation);
    if (kept === undefined) return undefined;
    const blocked = kept.readers.get(caller);
    if (blocked === undefined) return undefined;
    return { messages_version: kept.version, blocked };
  }

  /** Keeps what a member's page read, in the same synchronous step as the {@link get} that missed. */
  set(caller: string, conversation: string, access: PageAccess): void {
    if (!this.enabled) return;
    let kept = this.conversations.get(conversation);
    if (kept === undefined || kept.version !== access.messages_version) {
      kept = { version: access.messages_version, readers: new Map() };
      this.conversations.set(conversation, kept);
      if (this.conversations.size > CAPACITY) {
        const oldest = this.conversations.keys().next().value as string;
        this.conversations.delete(oldest);
      }
    }
    kept.readers.set(caller, access.blocked);
  }

  clear(): void {
    this.conversations.clear();
  }

  /** Conversations held (for tests). */
  get size(): number {
    return this.conversations.size;
  }
}

const byDatabase = new WeakMap<SqliteDatabase, PageAccessCache>();

/** The page access cache of a connection (shared by its chat stores). */
export function pageAccessCache(db: SqliteDatabase): PageAccessCache {
  let cache = byDatabase.get(db);
  if (cache === undefined) {
    cache = new PageAccessCache(db);
    byDatabase.set(db, cache);
  }
  return cache;
}
