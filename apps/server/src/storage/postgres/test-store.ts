import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPostgresStore, type PostgresStore } from "./index.js";

/** Which backend the shared test helper builds apps on: `FLUXRA_TEST_DB=postgres` picks PostgreSQL. */
export const testBackend: "sqlite" | "postgres" =
  process.env["FLUXRA_TEST_DB"] === "postgres" ? "postgres" : "sqlite";

/** The database test schemas are created in (`FLUXRA_TEST_PG_URL`, default the local `postgres` database, which every installation has). */
export const testPostgresUrl =
  process.env["FLUXRA_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * A PostgreSQL store in a fresh schema of its own (so test files running in parallel never see
 * each other's rows); `close()` drops the schema. Migrations run on first use.
 */
export function createTestPostgresStore(
  options: { schema?: string; maxConnections?: number; url?: string } = {},
): PostgresStore & { schema: string } {
  const schema = options.schema ?? `fluxra_test_${randomBytes(6).toString("hex")}`;
  const store = createPostgresStore(options.url ?? testPostgresUrl, {
    schema,
    maxConnections: options.maxConnections ?? 4,
    // Test data need not survive a power cut: skipping the WAL flush per commit halves DDL time.
    settings: { synchronous_commit: "off" },
  });
  const close = store.close;
  Object.assign(store.db, { raw: syncRaw(schema) });
  return {
    ...store,
    schema,
    async close() {
      await close();
      // A client of its own: the test may have closed the pool (or cut its connection) on purpose.
      const admin = new pg.Client({ connectionString: testPostgresUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
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
