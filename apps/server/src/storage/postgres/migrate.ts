import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";

/**
 * Applies every `NNN_name.sql` file not yet recorded in `schema_migrations`, in order, each in
 * its own transaction. A session-level advisory lock (keyed by schema) makes instances that
 * start together wait for each other instead of applying the same file twice. Ends `client`.
 */
export async function applyMigrations(
  client: pg.Client,
  dir: string,
  schema: string | undefined,
): Promise<void> {
  const files = readdirSync(dir)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
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
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
      );
      const { rows } = await client.query<{ version: number }>(
        "SELECT version FROM schema_migrations",
      );
      const applied = new Set(rows.map((r) => r.version));
      for (const file of files) {
        const version = Number.parseInt(file, 10);
        if (applied.has(version)) continue;
        await client.query("BEGIN");
        try {
          await client.query(readFileSync(join(dir, file), "utf8"));
          await client.query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            [version, file, Date.now()],
          );
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
