import { sqliteEvents } from "../../domains/events/sqlite-store.js";
import type { Store } from "../../store.js";
import { SqliteAgentsStore } from "../../domains/agents/sqlite-store.js";
import { SqliteAuthStore } from "../../domains/auth/sqlite-store.js";
import { createSqliteBlocksStore } from "../../domains/blocks/sqlite-store.js";
import { createSqliteChatStore } from "../../domains/chat/sqlite/index.js";
import { SqliteDatabase } from "./database.js";
import { SqlitePlatformStore } from "./platform-store.js";

export { SqliteDatabase } from "./database.js";

/** A {@link Store} on one SQLite file, plus the database handle for tests and tooling. */
export interface SqliteStore extends Store {
  db: SqliteDatabase;
}

/**
 * Opens (creating if needed) the SQLite database at `path`, applies pending migrations and
 * returns the store every domain uses.
 *
 * @example
 * const store = createSqliteStore("./.fluxra/fluxra.db");
 */
export function createSqliteStore(path: string): SqliteStore {
  const db = new SqliteDatabase(path);
  return {
    db,
    platform: new SqlitePlatformStore(db),
    auth: new SqliteAuthStore(db),
    agents: new SqliteAgentsStore(db),
    chat: createSqliteChatStore(db),
    blocks: createSqliteBlocksStore(db),
    events: sqliteEvents(db).store,
    close: async () => {
      await sqliteEvents(db).store.close();
      db.close();
    },
    reportFailure: (err) => db.reportFailure(err),
  };
}
