import { closeDomainStores, openDomainStores } from "../../domains/stores.js";
import type { Store } from "../../store.js";
import type { Migration } from "../migrations.js";
import { SqliteDatabase } from "./database.js";
import { SqlitePlatformStore } from "./platform-store.js";

export { SqliteDatabase } from "./database.js";

/** A {@link Store} on one SQLite file, plus the database handle for tests and tooling. */
export interface SqliteStore extends Store {
  db: SqliteDatabase;
}

/**
 * Opens (creating if needed) the SQLite database at `path`, applies pending migrations and
 * returns the store every domain uses: the platform's and each registered domain's
 * (domains/stores.ts). `migrations` replaces the discovered ones (tests of upgrades).
 *
 * @example
 * const store = createSqliteStore("./.fluxra/fluxra.db");
 */
export function createSqliteStore(
  path: string,
  options: { migrations?: readonly Migration[] } = {},
): SqliteStore {
  const db = new SqliteDatabase(path, options);
  const domains = openDomainStores("sqlite", db);
  return {
    db,
    platform: new SqlitePlatformStore(db),
    ...domains,
    close: async () => {
      await closeDomainStores(domains);
      db.close();
      await db.closed();
    },
    reportFailure: (err) => db.reportFailure(err),
  };
}
