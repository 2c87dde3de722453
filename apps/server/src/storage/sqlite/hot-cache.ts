import type { SqliteDatabase } from "./database.js";

/**
 * Rows this process reads on (nearly) every request, kept in memory so the request costs no
 * statement. Correct as long as every change to the cached rows is either
 * - made by this process through the store methods, which call {@link delete} / {@link deleteWhere}
 *   / {@link clear} inside their write (better-sqlite3 is synchronous: no read interleaves
 *   between the invalidation and the COMMIT), or
 * - made by another connection: then `PRAGMA data_version` has moved, and the first lookup
 *   after it ({@link validate}; in a server, the first request received after the commit: see
 *   {@link SqliteDatabase.sharedDataVersion}) drops everything;
 * and a reopened connection (the file was lost or replaced) starts over too. Bounded: past
 * `capacity` entries the oldest inserted tenth is dropped.
 */
export class HotCache<V> {
  private entries = new Map<string, V>();
  private version = Number.NaN;
  private generation = -1;
  /** Off: every lookup misses and nothing is kept (the bench's "before"). */
  enabled = true;

  constructor(
    private readonly db: SqliteDatabase,
    readonly capacity: number,
  ) {}

  /**
   * Drops every entry when another connection committed (or the connection was reopened) since
   * the last call. Call once per request before trusting {@link get}.
   */
  validate(): void {
    if (!this.enabled) return;
    const version = this.db.sharedDataVersion();
    if (version === this.version && this.db.generation === this.generation) return;
    this.entries.clear();
    this.version = version;
    this.generation = this.db.generation;
  }

  get(key: string): V | undefined {
    if (!this.enabled) return undefined;
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    if (!this.enabled) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      // The oldest tenth at once: a Map keeps deleted slots until it rehashes, and
      // `keys().next()` walks them all, so dropping one entry per set cost ~7 µs a set once the
      // cache was full (every token exchange sets its new session); in one pass it is ~0.3 µs.
      let drop = this.entries.size - (this.capacity - Math.floor(this.capacity / 10));
      for (const oldest of this.entries.keys()) {
        if (drop-- <= 0) break;
        this.entries.delete(oldest);
      }
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops the entries `matches` selects (for writes that change many rows at once). */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, value] of this.entries) if (matches(value)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Whether the file may hold changes an in-memory copy was not told about, since the previous
 * call: another connection committed (`PRAGMA data_version` moved), this connection changed rows
 * outside declared writes ({@link SqliteDatabase.undeclaredChanges} moved), or the connection was
 * reopened. The first call answers true. For copies kept exact by declared writes (the chat
 * list cache and send state), where {@link HotCache} relies on its store's own invalidations.
 */
export class UnreportedChanges {
  private version = Number.NaN;
  private epoch = -1;
  private generation = -1;

  constructor(private readonly db: SqliteDatabase) {}

  /** True (and remembers the new state) when anything unreported may have changed. */
  check(): boolean {
    const version = this.db.dataVersion();
    const epoch = this.db.undeclaredChanges();
    const { generation } = this.db;
    if (version === this.version && epoch === this.epoch && generation === this.generation) {
      return false;
    }
    this.version = version;
    this.epoch = epoch;
    this.generation = generation;
    return true;
  }
}
