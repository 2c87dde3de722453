import type { SqliteDatabase } from "../../storage/sqlite/database.js";
import { HotCache } from "../../storage/sqlite/hot-cache.js";
import type { SessionState } from "./store.js";

/** Live sessions kept per database; enough for every agent of a busy single-file deployment. */
export const SESSION_CACHE_CAPACITY = 10_000;

const byDatabase = new WeakMap<SqliteDatabase, HotCache<SessionState>>();

/**
 * The sessions of `db` this process has looked up, by the SHA-256 of their id, shared by every
 * store on it (the auth store reads and revokes, the agents store deactivates). See
 * {@link HotCache} for why it never serves a revoked session as live.
 */
export function sqliteSessionCache(db: SqliteDatabase): HotCache<SessionState> {
  let cache = byDatabase.get(db);
  if (cache === undefined) {
    cache = new HotCache<SessionState>(db, SESSION_CACHE_CAPACITY);
    byDatabase.set(db, cache);
  }
  return cache;
}
