import type { MessageWindow } from "./store.js";

/** One message of a tail: what a page needs to pick it (seq, author) and its API JSON. */
export interface TailEntry {
  seq: number;
  authorId: string;
  /** `JSON.stringify` of the message's API shape. */
  json: string;
}

/** The newest messages of one conversation, serialized, as of one `messages_version`. */
interface Tail {
  version: number;
  /** Every message of the conversation is here (it has no older ones). */
  complete: boolean;
  /** Ascending by seq: the conversation's newest messages, with none missing in between. */
  entries: TailEntry[];
  bytes: number;
  /**
   * The newest page (no position, nobody's blocked authors left out) as last picked, at
   * `limit`: repeated reads of an inbox's newest page reuse the string, which V8 has flattened
   * after its first response (picking and flattening 50 entries again cost ~4 µs). Dropped by
   * every change of `entries`.
   */
  newest?: { limit: number; page: TailPage } | undefined;
}

/** A page picked from a tail: the `data` array as JSON text, and the seq to continue from. */
export interface TailPage {
  json: string;
  next: number | null;
}

/** Sizes of a {@link MessageTails} cache. */
export interface MessageTailLimits {
  /** Messages read into a tail when it is (re)built. */
  fill: number;
  /** Most messages one tail keeps; past it, the older half is dropped. */
  maxEntries: number;
  /**
   * Bound on the JSON text held by all tails together, in UTF-16 code units (= bytes of memory
   * per code unit of a one-byte string, the usual case); least recently used tails go first.
   */
  maxBytes: number;
}

export const defaultTailLimits: MessageTailLimits = {
  fill: 256,
  maxEntries: 512,
  maxBytes: 32 * 1024 * 1024,
};

/**
 * The newest messages of recently read conversations, kept as their API JSON, so the common
 * message-list request (the newest page, or the next pages after a position a client already
 * has) is served without reading and re-serializing rows: reading 51 rows into JavaScript costs
 * ~100 µs here and serializing them ~60 µs, against ~25 µs for a whole bare HTTP request.
 *
 * Correctness does not depend on seeing every write. Each tail records the conversation's
 * `messages_version` (bumped by triggers on every insert, edit and tombstone, whatever wrote it)
 * and is used only when the caller's own membership read, in the same synchronous step, returns
 * that same version. Writes of this process extend a current tail after they commit; any other
 * change makes it stale, and the next read rebuilds it. Blocked authors are filtered per caller
 * when a page is picked, so one tail serves every member.
 */
export class MessageTails {
  private readonly tails = new Map<string, Tail>();
  private bytes = 0;

  constructor(private readonly limits: MessageTailLimits = defaultTailLimits) {}

  /** How many messages a rebuild should read (the caller passes them to {@link store}). */
  get fillSize(): number {
    return this.limits.fill;
  }

  /**
   * Picks a page from the conversation's tail if the tail is current (`version`) and holds the
   * whole page; undefined otherwise (read the page from the database).
   */
  page(
    conversation: string,
    version: number,
    window: MessageWindow,
    limit: number,
    blocked: ReadonlySet<string> | null,
  ): TailPage | undefined {
    const tail = this.current(conversation, version);
    if (tail === undefined) return undefined;
    const newestPage = window.direction === "desc" && window.seq === null && blocked === null;
    if (newestPage && tail.newest?.limit === limit) return tail.newest.page;
    const { entries } = tail;
    const picked: TailEntry[] = [];
    if (window.direction === "desc") {
      const bound = window.seq ?? Number.POSITIVE_INFINITY;
      for (let i = lastBelow(entries, bound); i >= 0 && picked.length <= limit; i--) {
        const entry = entries[i] as TailEntry;
        if (blocked === null || !blocked.has(entry.authorId)) picked.push(entry);
      }
      // Ran out before limit + 1: only a complete tail knows there is nothing older.
      if (picked.length <= limit && !tail.complete) return undefined;
    } else {
      const bound = window.seq ?? 0;
      const first = entries[0];
      // Messages between the bound and the tail's oldest one are not here.
      if (first !== undefined && !tail.complete && bound < first.seq - 1) return undefined;
      for (let i = firstAbove(entries, bound); i < entries.length && picked.length <= limit; i++) {
        const entry = entries[i] as TailEntry;
        if (blocked === null || !blocked.has(entry.authorId)) picked.push(entry);
      }
    }
    const more = picked.length > limit;
    if (more) picked.pop();
    const page = { json: jsonArray(picked), next: more ? (picked.at(-1) as TailEntry).seq : null };
    if (newestPage) tail.newest = { limit, page };
    return page;
  }

  /**
   * Stores a freshly read tail: `newestFirst` are the conversation's newest messages as of
   * `version`, newest first, read with a limit of {@link fillSize} (fewer means all of them).
   */
  store(conversation: string, version: number, newestFirst: TailEntry[]): void {
    this.drop(conversation);
    const entries = newestFirst.slice().reverse();
    const tail: Tail = {
      version,
      complete: newestFirst.length < this.limits.fill,
      entries,
      bytes: sizeOf(entries),
    };
    this.tails.set(conversation, tail);
    this.bytes += tail.bytes;
    this.evict();
  }

  /** Whether the conversation has a tail at `version`. */
  isCurrent(conversation: string, version: number): boolean {
    return this.tails.get(conversation)?.version === version;
  }

  /**
   * Extends a current tail with a message this process committed, which moved the conversation
   * from `versionBefore` to `versionBefore + 1`. A tail at any other version is dropped. `json`
   * is only called when the tail keeps the message.
   */
  append(
    conversation: string,
    versionBefore: number,
    seq: number,
    authorId: string,
    json: () => string,
  ): void {
    const tail = this.tails.get(conversation);
    if (tail === undefined) return;
    const last = tail.entries.at(-1);
    if (tail.version !== versionBefore || (last !== undefined && seq <= last.seq)) {
      this.drop(conversation);
      return;
    }
    const entry: TailEntry = { seq, authorId, json: json() };
    tail.entries.push(entry);
    tail.newest = undefined;
    tail.version = versionBefore + 1;
    tail.bytes += entry.json.length;
    this.bytes += entry.json.length;
    if (tail.entries.length > this.limits.maxEntries) {
      const dropped = tail.entries.splice(0, tail.entries.length - this.limits.maxEntries / 2);
      const freed = sizeOf(dropped);
      tail.bytes -= freed;
      this.bytes -= freed;
      tail.complete = false;
    }
    this.evict();
  }

  /** Forgets one conversation's tail. */
  drop(conversation: string): void {
    const tail = this.tails.get(conversation);
    if (tail === undefined) return;
    this.tails.delete(conversation);
    this.bytes -= tail.bytes;
  }

  /** Forgets every tail. */
  clear(): void {
    this.tails.clear();
    this.bytes = 0;
  }

  /** Bytes of JSON held (for tests and monitoring). */
  get size(): { tails: number; bytes: number } {
    return { tails: this.tails.size, bytes: this.bytes };
  }

  /** The tail if it is at `version` (marked most recently used); a stale one is dropped. */
  private current(conversation: string, version: number): Tail | undefined {
    const tail = this.tails.get(conversation);
    if (tail === undefined) return undefined;
    if (tail.version !== version) {
      this.drop(conversation);
      return undefined;
    }
    // Map order is the LRU order: re-inserting makes it the newest.
    this.tails.delete(conversation);
    this.tails.set(conversation, tail);
    return tail;
  }

  private evict(): void {
    for (const [conversation] of this.tails) {
      if (this.bytes <= this.limits.maxBytes) return;
      this.drop(conversation);
    }
  }
}

/**
 * `[a,b,…]` from the entries' JSON. A string, not a Buffer: Node writes a string response by
 * encoding it into memory it reuses, while a fresh 15 KB Buffer per response cost ~14 µs more per
 * request in the bench (allocation and GC of external memory), more than the encoding.
 */
function jsonArray(entries: TailEntry[]): string {
  let out = "[";
  for (let i = 0; i < entries.length; i++) {
    if (i > 0) out += ",";
    out += (entries[i] as TailEntry).json;
  }
  return `${out}]`;
}

function sizeOf(entries: TailEntry[]): number {
  let bytes = 0;
  for (const e of entries) bytes += e.json.length;
  return bytes;
}

/** Index of the last entry with seq < bound, or -1. */
function lastBelow(entries: TailEntry[], bound: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((entries[mid] as TailEntry).seq < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the first entry with seq > bound (entries.length if none). */
function firstAbove(entries: TailEntry[], bound: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((entries[mid] as TailEntry).seq <= bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
