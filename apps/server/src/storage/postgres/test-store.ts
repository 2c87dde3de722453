import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPostgresStore, type PostgresStore } from "./index.js";

/** The backend the shared test helper builds apps on: `FLUXRA_TEST_DB=postgres` picks PostgreSQL. */
export const testBackend: "sqlite" | "postgres" =
  process.env["FLUXRA_TEST_DB"] === "postgres" ? "postgres" : "sqlite";

/**
 * The database test schemas are created in: `FLUXRA_TEST_PG_URL`, default the local `postgres`
 * database (every installation has it).
 */
export const testPostgresUrl =
  process.env["FLUXRA_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Names this test run's schemas, so the run's global teardown can drop them all. */
const runId = process.env["FLUXRA_TEST_RUN"] ?? "0";

/** Emptied, migrated schemas of this process, ready for the next test app. */
const spare: string[] = [];
/** Schemas used by several apps at once (one database, several instances), by share key. */
const shared = new Map<string, { schema: string; users: number }>();
/** Every schema this process created; dropped when it exits. */
const owned = new Set<string>();
let admin: pg.Pool | undefined;
let swept = false;

function adminPool(): pg.Pool {
  if (!admin) {
    admin = new pg.Pool({ connectionString: testPostgresUrl, max: 1, allowExitOnIdle: true });
    // An idle client terminated by the server must not become an unhandled error; the next
    // query reports any real failure.
    admin.on("error", () => {});
  }
  return admin;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

/** Drops every schema of test run `run` (its global teardown: all its workers are done). */
export async function dropRun(run: string): Promise<void> {
  const { rows } = await adminPool().query<{ name: string }>(
    "SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'fluxra\\_test\\_%' AND nspname LIKE $1",
    [`%\\_${run}\\_%`],
  );
  for (const { name } of rows) await adminPool().query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  await admin?.end();
  admin = undefined;
}

/** Drops test schemas left behind by test processes that ended before cleaning up. */
async function sweepStale(): Promise<void> {
  const { rows } = await adminPool().query<{ name: string }>(
    "SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'fluxra\\_test\\_%'",
  );
  for (const { name } of rows) {
    const pid = Number(/^fluxra_test_(\d+)_/.exec(name)?.[1]);
    if (Number.isInteger(pid) && isAlive(pid)) continue;
    await adminPool().query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  }
}

function dropOwnedAtExit(): void {
  if (owned.size === 0) return;
  const names = [...owned].map((n) => `"${n}"`).join(", ");
  try {
    execFileSync(
      "psql",
      [testPostgresUrl, "-X", "-q", "-c", `DROP SCHEMA IF EXISTS ${names} CASCADE`],
      {
        stdio: "ignore",
      },
    );
  } catch {
    // the next run's sweep drops them
  }
}

/**
 * The tables of `schema` (its migrations made them) in an order that empties them without
 * tripping foreign keys: every table after the tables that reference it.
 */
async function childrenFirst(schema: string): Promise<string[]> {
  const pool = adminPool();
  const { rows: tables } = await pool.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename NOT IN ('schema_migrations', 'applied_migrations') ORDER BY tablename",
    [schema],
  );
  const { rows: refs } = await pool.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent
       FROM pg_constraint fk
       JOIN pg_class child ON child.oid = fk.conrelid
       JOIN pg_class parent ON parent.oid = fk.confrelid
       JOIN pg_namespace ns ON ns.oid = child.relnamespace
      WHERE fk.contype = 'f' AND ns.nspname = $1 AND child.oid <> parent.oid`,
    [schema],
  );
  const left = new Set(tables.map((t) => t.name));
  const order: string[] = [];
  while (left.size > 0) {
    // A table no remaining table references can go now.
    const free = [...left].filter((t) => !refs.some((r) => r.parent === t && left.has(r.child)));
    if (free.length === 0) throw new Error(`foreign-key cycle among ${[...left].join(", ")}`);
    for (const t of free) {
      order.push(t);
      left.delete(t);
    }
  }
  return order;
}

/** Empties a schema for reuse (DELETE, not TRUNCATE: on small tables ~100× cheaper). */
async function emptySchema(schema: string): Promise<void> {
  const order = await childrenFirst(schema);
  if (order.length === 0) return;
  await adminPool().query(order.map((n) => `DELETE FROM "${schema}"."${n}";`).join(" "));
}

/** Options of {@link createTestPostgresStore}. */
export interface TestPostgresOptions {
  /** A schema to use as is (created if needed, dropped on close). */
  schema?: string;
  /** Apps created with the same key share one schema, like instances sharing one database. */
  shareKey?: string;
  maxConnections?: number;
  /** The send batcher's group-commit wait, µs (default: the server's, off). */
  sendGroupWaitMicros?: number;
  /** Where to connect (default {@link testPostgresUrl}); the schema is still managed there. */
  url?: string;
}

/**
 * A PostgreSQL store in a schema of its own, so test files running in parallel never see each
 * other's rows. Creating and migrating a schema costs ~0.3 s here, so a closed app's schema is
 * emptied and handed to the next app of the same process; they are dropped when it exits.
 */
export function createTestPostgresStore(
  options: TestPostgresOptions = {},
): PostgresStore & { schema: string } {
  if (owned.size === 0 && options.schema === undefined) process.once("exit", dropOwnedAtExit);
  const sharing = options.shareKey === undefined ? undefined : shared.get(options.shareKey);
  const schema =
    options.schema ??
    sharing?.schema ??
    spare.pop() ??
    `fluxra_test_${process.pid}_${runId}_${randomBytes(4).toString("hex")}`;
  if (options.schema === undefined) owned.add(schema);
  if (sharing) sharing.users += 1;
  else if (options.shareKey !== undefined) shared.set(options.shareKey, { schema, users: 1 });
  const store = createPostgresStore(options.url ?? testPostgresUrl, {
    schema,
    maxConnections: options.maxConnections ?? 4,
    sendGroupWaitMicros: options.sendGroupWaitMicros,
    // Test data need not survive a power cut: no WAL flush per commit.
    settings: { synchronous_commit: "off" },
  });
  if (!swept) {
    swept = true; // once per process; nothing waits for it
    void sweepStale().catch(() => {});
  }
  const close = store.close;
  Object.assign(store.db, { raw: syncRaw(schema) });
  return {
    ...store,
    schema,
    async close() {
      await close();
      if (options.shareKey !== undefined) {
        const entry = shared.get(options.shareKey);
        if (entry && --entry.users > 0) return; // another app still works in this schema
        shared.delete(options.shareKey);
      }
      // The admin pool, not the store's: the test may have closed it (or cut it) on purpose.
      if (options.schema !== undefined) {
        await adminPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        return;
      }
      try {
        await emptySchema(schema);
        spare.push(schema);
      } catch {
        owned.delete(schema);
        await adminPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    },
  };
}

/** A SQL literal for a test parameter (strings quoted, numbers as is). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  return `'${String(value).replaceAll("'", "''")}'`;
}

/**
 * The slice of better-sqlite3's API a few shared tests use to look into the database
 * (`db.raw.prepare(sql).get/all/run` with `?` parameters), answered synchronously by `psql` on
 * the test's own schema, so those tests check the real PostgreSQL rows too.
 */
function syncRaw(schema: string) {
  const run = (sql: string, params: unknown[]): unknown[] => {
    let i = 0;
    const text = sql.replace(/\?/g, () => literal(params[i++]));
    const select = /^\s*select/i.test(text);
    const statement = select ? `SELECT coalesce(json_agg(t), '[]') FROM (${text}) t` : text;
    const out = execFileSync(
      "psql",
      [
        testPostgresUrl,
        "-X",
        "-q",
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        `SET search_path TO "${schema}"; ${statement}`,
      ],
      { encoding: "utf8" },
    );
    return select ? (JSON.parse(out) as unknown[]) : [];
  };
  return {
    prepare: (sql: string) => ({
      get: (...params: unknown[]) => run(sql, params)[0],
      all: (...params: unknown[]) => run(sql, params),
      run: (...params: unknown[]) => {
        run(sql, params);
        return {};
      },
    }),
  };
}
