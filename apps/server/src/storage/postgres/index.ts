import { closeDomainStores, openDomainStores } from "../../domains/stores.js";
import type { Store } from "../../store.js";
import { PgDatabase, type PgOptions } from "./database.js";
import { PgPlatformStore } from "./platform-store.js";

export { bindNamed, isConnectionFailure, PgDatabase, type PgOptions } from "./database.js";

/** A {@link Store} on PostgreSQL, plus the pool wrapper for tests and tooling. */
export interface PostgresStore extends Store {
  db: PgDatabase;
  /** Resolves once migrations are applied (every store call awaits it too). */
  ready(): Promise<void>;
}

/** True when `db` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/**
 * Connects to PostgreSQL at `url` (a pool, opened lazily), applies pending migrations before the
 * first query, and returns the store every domain uses (the platform's and each registered
 * domain's, domains/stores.ts). Several server instances may share one
 * database: every invariant is held by the database (constraints, row locks, one transaction
 * per write), none by process memory.
 *
 * @example
 * const store = createPostgresStore("postgres://postgres@127.0.0.1:5432/fluxra");
 * await store.ready();
 */
export function createPostgresStore(url: string, options: PgOptions = {}): PostgresStore {
  const db = new PgDatabase(url, options);
  const domains = openDomainStores("postgres", db);
  return {
    db,
    ready: () => db.ready(),
    platform: new PgPlatformStore(db),
    ...domains,
    close: async () => {
      await closeDomainStores(domains);
      await db.close();
    },
  };
}
