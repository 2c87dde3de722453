import type pg from "pg";
import { APPLIED_TABLE, legacyNames, type Migration, migrationSql } from "../migrations.js";

/**
 * Applies every migration not yet recorded in `applied_migrations`, in name order, each in its
 * own transaction. A session-level advisory lock (keyed by schema) makes instances that start
 * together wait for each other instead of applying the same file twice. A schema made before
 * per-domain migrations first has its numbered `schema_migrations` versions recorded under
 * their files' names, so nothing runs twice. Ends `client`.
 */
export async function applyMigrations(
  client: pg.Client,
  migrations: readonly Migration[],
  schema: string | undefined,
): Promise<void> {
  client.on("error", () => {}); // reported by the failing query instead
  await client.connect();
  try {
    // Lock first, then create the schema: CREATE SCHEMA IF NOT EXISTS is not race-free.
    await client.query("SELECT pg_advisory_lock(hashtext('fluxra-migrations:' || $1))", [
      schema ?? "",
    ]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${APPLIED_TABLE} (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`,
      );
      // A schema made by a numbered server still has its `schema_migrations` table.
      const { rows: found } = await client.query<{ present: boolean }>(
        "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
      );
      const legacy = found[0]?.present
        ? (await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows
        : [];
      const known = legacyNames(legacy.map((r) => r.version));
      if (known.length > 0) {
        await client.query(
          `INSERT INTO ${APPLIED_TABLE} (name, applied_at)
           SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`,
          [known, Date.now()],
        );
      }
      const { rows } = await client.query<{ name: string }>(`SELECT name FROM ${APPLIED_TABLE}`);
      const applied = new Set(rows.map((r) => r.name));
      for (const migration of migrations) {
        if (applied.has(migration.name)) continue;
        await client.query("BEGIN");
        try {
          await client.query(migrationSql(migration));
          await client.query(`INSERT INTO ${APPLIED_TABLE} (name, applied_at) VALUES ($1, $2)`, [
            migration.name,
            Date.now(),
          ]);
          await client.query("COMMIT");
        } catch (err) {
          await client.query("ROLLBACK").catch(() => {});
          throw err;
        }
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock_all()").catch(() => {});
    }
  } finally {
    // Ending the session would release the lock anyway (also if this process dies mid-way).
    await client.end().catch(() => {});
  }
}
