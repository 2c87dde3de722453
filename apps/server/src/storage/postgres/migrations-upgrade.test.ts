import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { findMigrations, LEGACY_VERSIONS, migrationSql } from "../migrations.js";
import { createTestPostgresStore, testPostgresUrl } from "./test-store.js";

const migrations = findMigrations("postgres");
const stores: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

/**
 * A schema as a numbered server (before per-domain migrations) left it before migration `upTo`:
 * every lower version's file applied and recorded in `schema_migrations` by number and old file
 * name (`010_chat.sql`), exactly as that server's runner did. Returns a client on the schema.
 */
async function schemaBefore(upTo: number): Promise<{ schema: string; sql: pg.Client }> {
  const schema = `fluxra_test_${process.pid}_up_${randomBytes(4).toString("hex")}`;
  const sql = new pg.Client({ connectionString: testPostgresUrl });
  await sql.connect();
  await sql.query(`CREATE SCHEMA "${schema}"`);
  await sql.query(`SET search_path TO "${schema}"`);
  await sql.query(
    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
  );
  for (const [version, name] of Object.entries(LEGACY_VERSIONS)) {
    if (Number(version) >= upTo) continue;
    const migration = migrations.find((m) => m.name === name);
    if (migration === undefined) throw new Error(`legacy ${version} maps to no file (${name})`);
    const oldName = `${version.padStart(3, "0")}_${name.slice("20261130T0100_".length)}.sql`;
    await sql.query("BEGIN");
    await sql.query(migrationSql(migration));
    await sql.query(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
      [Number(version), oldName, Date.now()],
    );
    await sql.query("COMMIT");
  }
  return { schema, sql };
}

/** Tables, indexes, triggers and functions of a schema, to compare before and after. */
async function shape(sql: pg.Client, schema: string): Promise<string[]> {
  const { rows } = await sql.query<{ item: string }>(
    `SELECT 'table ' || tablename AS item FROM pg_tables WHERE schemaname = $1
       AND tablename <> 'applied_migrations'
     UNION ALL SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = $1
       AND tablename <> 'applied_migrations'
     UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND NOT t.tgisinternal
     UNION ALL SELECT 'function ' || proname FROM pg_proc p JOIN pg_namespace n
       ON n.oid = p.pronamespace WHERE n.nspname = $1
     ORDER BY 1`,
    [schema],
  );
  return rows.map((r) => r.item);
}

describe("upgrading an existing PostgreSQL schema", () => {
  it("takes over every numbered migration (001…015) without re-running one", async () => {
    const { schema, sql } = await schemaBefore(16);
    const now = Date.now();
    try {
      await sql.query(`
        INSERT INTO agents (id, handle, display_name, created_at, updated_at)
          VALUES ('agt_a', 'alice', 'Alice', ${now}, ${now});
        INSERT INTO conversations (id, type, title, created_by, member_count, next_seq, activity_at, created_at, updated_at)
          VALUES ('cnv_1', 'group', 't', 'agt_a', 1, 2, ${now}, ${now}, ${now});
        INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
          VALUES ('cnv_1', 'agt_a', 'owner', ${now});
        INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at)
          VALUES ('msg_1', 'cnv_1', 1, 'agt_a', 'one', 'text/plain', ${now});`);
      // What it should become: the numbered schema plus each migration added since, applied once.
      const reference = await schemaBefore(16);
      const legacyNames = new Set(Object.values(LEGACY_VERSIONS));
      for (const m of migrations.filter((m) => !legacyNames.has(m.name))) {
        await reference.sql.query(migrationSql(m));
      }
      const before = await shape(reference.sql, reference.schema);
      await reference.sql.query(`DROP SCHEMA "${reference.schema}" CASCADE`);
      await reference.sql.end();

      // Each file's CREATE TABLE / CREATE FUNCTION would fail on a second run: ready() proves none ran.
      const store = createTestPostgresStore({ schema });
      stores.push(store);
      await store.ready();
      const applied = await sql.query<{ name: string }>(
        "SELECT name FROM applied_migrations ORDER BY name",
      );
      expect(applied.rows.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
      const legacy = await sql.query<{ version: number }>(
        "SELECT version FROM schema_migrations ORDER BY 1",
      );
      expect(legacy.rows.map((r) => r.version)).toEqual(Object.keys(LEGACY_VERSIONS).map(Number));
      expect(await shape(sql, schema)).toEqual(before);
      // The data is there and the store works on it (the unread and version triggers ran once).
      const sent = await store.chat.sendMessage(
        "agt_a",
        "cnv_1",
        {
          id: "msg_2",
          content: "two",
          content_type: "text/plain",
          reply_to_id: null,
          metadata: null,
        },
        now,
      );
      expect(sent).toMatchObject({ ok: true, value: { seq: 2 } });
      const live = await sql.query<{ n: string }>(
        "SELECT coalesce(sum(live), 0) AS n FROM message_counts WHERE conversation_id = 'cnv_1'",
      );
      // Each live message counted once by the trigger (a second trigger would count twice).
      expect(Number(live.rows[0]?.n)).toBe(2);
    } finally {
      await sql.end();
    }
  });

  it("applies the migrations a schema did not have yet (numbered up to 013) after taking over", async () => {
    const { schema, sql } = await schemaBefore(14);
    try {
      const store = createTestPostgresStore({ schema });
      stores.push(store);
      await store.ready();
      const applied = await sql.query<{ name: string }>(
        "SELECT name FROM applied_migrations ORDER BY name",
      );
      expect(applied.rows.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
      const events = await sql.query("SELECT to_regclass('events') IS NOT NULL AS present");
      expect(events.rows[0]).toEqual({ present: true });
    } finally {
      await sql.end();
    }
  });
});
