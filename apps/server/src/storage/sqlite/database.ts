import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

type Statement = Database.Statement<unknown[], unknown>;

/**
 * One better-sqlite3 connection with the settings the server relies on: WAL (readers never
 * block the writer, survives kill -9), synchronous=NORMAL (durable across process crashes),
 * busy_timeout (instances sharing a file wait instead of failing), cached prepared statements,
 * and writes in `BEGIN IMMEDIATE` transactions (no SQLITE_BUSY upgrades mid-transaction).
 */
export class SqliteDatabase {
  /** The raw connection, for the rare query that needs it. */
  readonly raw: Database.Database;
  private readonly statements = new Map<string, Statement>();
  private readonly runInTransaction: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(path: string, options: { migrationsDir?: string } = {}) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.raw = new Database(path);
    this.raw.pragma("journal_mode = WAL");
    this.raw.pragma("synchronous = NORMAL");
    this.raw.pragma("busy_timeout = 5000");
    this.raw.pragma("foreign_keys = ON");
    this.runInTransaction = this.raw.transaction((fn: () => unknown) => fn());
    applyMigrations(this, options.migrationsDir ?? findMigrationsDir());
  }

  /** A prepared statement, compiled once per SQL text. */
  stmt(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.raw.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs `fn` in one `BEGIN IMMEDIATE` transaction: all of its writes commit together or not at
   * all. `fn` must be synchronous (better-sqlite3 is), so no other request interleaves.
   */
  write<T>(fn: () => T): T {
    return this.runInTransaction.immediate(fn) as T;
  }

  /** Closes the connection (idempotent). */
  close(): void {
    if (this.raw.open) this.raw.close();
  }
}

/** Migration files live next to this module in source and are copied beside the bundle by tsup. */
function findMigrationsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = join(here, "migrations");
  try {
    readdirSync(dir);
  } catch {
    throw new Error(`SQLite migrations not found at ${dir}`);
  }
  return dir;
}

/**
 * Applies every `NNN_name.sql` file not yet recorded in `schema_migrations`, in order, each in
 * its own IMMEDIATE transaction (so instances starting together apply each file once).
 */
export function applyMigrations(db: SqliteDatabase, dir: string): void {
  db.raw.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
  );
  const files = readdirSync(dir)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  const applied = new Set(
    (db.raw.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  for (const file of files) {
    const version = Number.parseInt(file, 10);
    if (applied.has(version)) continue;
    const sql = readFileSync(join(dir, file), "utf8");
    db.write(() => {
      const done = db.raw.prepare("SELECT 1 FROM schema_migrations WHERE version = ?").get(version);
      if (done) return;
      db.raw.exec(sql);
      db.raw
        .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
        .run(version, file, Date.now());
    });
  }
}
