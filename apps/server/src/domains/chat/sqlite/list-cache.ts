import type { SqliteDatabase } from "../../../storage/sqlite/database.js";
import { UnreportedChanges } from "../../../storage/sqlite/hot-cache.js";
import type { ConversationKey, ConversationRecord, Page } from "../store.js";

type ListPage = Page<ConversationRecord, ConversationKey>;

/** One agent's cached list pages, and every conversation the agent is a member of. */
interface AgentLists {
  pages: Map<string, ListPage>;
  conversations: string[];
}

/** Most pages kept per agent (first page and a few cursors). */
const PAGES_PER_AGENT = 8;

/**
 * The conversation list pages this process served, per agent, so a repeated list request (the
 * common case: a client polling its inbox) costs no statement. The list's first statement costs
 * ~100 µs for 20 rows (two index searches per row, a correlated block check, a sort), the rest of
 * the store's answer ~20 µs more.
 *
 * A page is correct until one of the agent's conversations, memberships or blocks changes. Every
 * SQLite chat and blocks write that can change a list says whose lists it changed, inside its
 * transaction ({@link touchConversation} and {@link touchMembers}: every member's, from the member
 * set read when the entry was filled; {@link touchAgent}: one agent's, for new memberships,
 * markers and blocks), wrapped in {@link tracked}. Anything else drops every page:
 * - another connection committed (`PRAGMA data_version` moved), or the connection was reopened;
 * - this connection changed rows outside declared writes (raw SQL, a store that declares nothing):
 *   {@link SqliteDatabase.undeclaredChanges} moved. The platform's rate-limit and idempotency
 *   writes are declared (they change nothing a list shows), so they keep the pages.
 * Both are checked on every lookup, so a change of any origin is seen by the next request.
 */
export class ConversationListCache {
  private readonly agents = new Map<string, AgentLists>();
  private readonly members = new Map<string, Set<string>>();
  private readonly changes: UnreportedChanges;
  /** Off: every lookup misses and nothing is kept (the bench's "before"). */
  enabled = true;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly capacity = 10_000,
  ) {
    this.changes = new UnreportedChanges(db);
  }

  /** Drops every page when anything not reported changed since the last check. */
  private validate(): void {
    if (this.changes.check()) this.clear();
  }

  /** See {@link onWrite}. */
  private readonly writeListeners: (() => void)[] = [];

  /**
   * Calls `listener` at the start of every {@link tracked} write that may change memberships,
   * roles, blocks or a conversation's row (every one not marked `keepsSendState`): the send
   * state (send-state.ts) drops what it holds.
   */
  onWrite(listener: () => void): void {
    this.writeListeners.push(listener);
  }

  /** See {@link onConversationTouched}. */
  private readonly touchListeners: ((conversation: string) => void)[] = [];

  /**
   * Calls `listener` with the conversation of every {@link touchConversation} (a send, an edit, a
   * title: a change of the conversation's row or messages), inside the write: the page access
   * cache (page-access.ts) drops the conversation's `messages_version`.
   */
  onConversationTouched(listener: (conversation: string) => void): void {
    this.touchListeners.push(listener);
  }

  /**
   * Runs a write of the chat or blocks store that reports what it touched (call inside the
   * write transaction): see {@link SqliteDatabase.declaredChanges}. `keepsSendState`: the write
   * keeps the send state current itself (a send) or changes nothing it holds (a read marker).
   */
  tracked<T>(fn: () => T, keepsSendState = false): T {
    if (!keepsSendState) for (const listener of this.writeListeners) listener();
    return this.db.declaredChanges(fn);
  }

  /** The cached page, or undefined. */
  get(agent: string, key: string): ListPage | undefined {
    if (!this.enabled) return undefined;
    this.validate();
    return this.agents.get(agent)?.pages.get(key);
  }

  /**
   * Keeps a page read in the same synchronous step as the {@link get} that missed.
   * `conversations` is every conversation the agent is a member of (read with the page).
   */
  set(agent: string, key: string, page: ListPage, conversations: () => string[]): void {
    if (!this.enabled) return;
    let entry = this.agents.get(agent);
    if (entry === undefined) {
      entry = { pages: new Map(), conversations: conversations() };
      for (const id of entry.conversations) {
        let set = this.members.get(id);
        if (set === undefined) {
          set = new Set();
          this.members.set(id, set);
        }
        set.add(agent);
      }
      this.agents.set(agent, entry);
      if (this.agents.size > this.capacity) {
        const oldest = this.agents.keys().next().value as string;
        this.touchAgent(oldest);
      }
    }
    for (const row of page.rows) Object.freeze(row);
    entry.pages.set(key, Object.freeze(page));
    if (entry.pages.size > PAGES_PER_AGENT) {
      const oldest = entry.pages.keys().next().value as string;
      entry.pages.delete(oldest);
    }
  }

  /** Drops one agent's pages, keeping its member set (a moved read marker, an agent block). */
  touchPages(agent: string): void {
    this.agents.get(agent)?.pages.clear();
  }

  /** Forgets one agent (a new membership, a conversation block). */
  touchAgent(agent: string): void {
    const entry = this.agents.get(agent);
    if (entry === undefined) return;
    this.agents.delete(agent);
    for (const id of entry.conversations) {
      const set = this.members.get(id);
      set?.delete(agent);
      if (set?.size === 0) this.members.delete(id);
    }
  }

  /**
   * Drops the pages of every cached member of a conversation whose memberships did not change
   * (a message, an edit, a title): the member sets are kept, so the next fill reads no more than
   * the page.
   */
  touchConversation(conversation: string): void {
    for (const listener of this.touchListeners) listener(conversation);
    const set = this.members.get(conversation);
    if (set === undefined) return;
    for (const agent of set) this.agents.get(agent)?.pages.clear();
  }

  /** Forgets every cached member of a conversation whose memberships or roles changed. */
  touchMembers(conversation: string): void {
    const set = this.members.get(conversation);
    if (set === undefined) return;
    for (const agent of [...set]) this.touchAgent(agent);
  }

  clear(): void {
    this.agents.clear();
    this.members.clear();
  }

  /** Agents with cached pages (for tests). */
  get size(): number {
    return this.agents.size;
  }
}

const byDatabase = new WeakMap<SqliteDatabase, ConversationListCache>();

/** The list cache of a connection (shared by its chat and blocks stores). */
export function conversationListCache(db: SqliteDatabase): ConversationListCache {
  let cache = byDatabase.get(db);
  if (cache === undefined) {
    cache = new ConversationListCache(db);
    byDatabase.set(db, cache);
  }
  return cache;
}
