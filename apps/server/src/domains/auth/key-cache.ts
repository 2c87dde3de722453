import type { SqliteDatabase } from "../../storage/sqlite/database.js";
import { HotCache } from "../../storage/sqlite/hot-cache.js";
import type { ApiKeyState } from "./store.js";

/** Api keys kept per database: a busy deployment's agents exchange with a few keys each. */
export const KEY_CACHE_CAPACITY = 10_000;

const byDatabase = new WeakMap<SqliteDatabase, HotCache<ApiKeyState>>();

/**
 * The api keys of `db` the token exchange has looked up, by the SHA-256 of their secret, shared
 * by every store on it (the auth store reads, revokes and recovers; the agents store
 * deactivates). Only keys that exist are kept: an unknown secret costs its statement every time.
 * See {@link HotCache} for why it never serves a revoked key as live; the exchange's write also
 * re-checks `revoked_at` inside its transaction.
 */
export function sqliteKeyCache(db: SqliteDatabase): HotCache<ApiKeyState> {
  let cache = byDatabase.get(db);
  if (cache === undefined) {
    cache = new HotCache<ApiKeyState>(db, KEY_CACHE_CAPACITY);
    byDatabase.set(db, cache);
  }
  return cache;
}
