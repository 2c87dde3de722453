import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sessionIdHash, sha256Hex } from "../../platform/auth/secrets.js";
import { createManualClock } from "../../platform/clock.js";
import { findMigrations, migrationSql } from "../../storage/migrations.js";
import { testBackend } from "../../storage/postgres/test-store.js";
import { createSqliteStore } from "../../storage/sqlite/index.js";
import { createTestApp, registerAgent } from "../../testing/index.js";

const layout = "20261207T0630_sessions_append_only";
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fluxra-sessions-layout-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database as the server left it before `layout`: every earlier migration applied. */
function databaseBeforeLayout(path: string) {
  const raw = new Database(path);
  raw.pragma("journal_mode = WAL");
  raw.pragma("foreign_keys = ON");
  raw.exec(
    "CREATE TABLE applied_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT",
  );
  for (const m of findMigrations("sqlite")) {
    if (m.name >= layout) break;
    raw.transaction(() => {
      raw.exec(migrationSql(m));
      raw.prepare("INSERT INTO applied_migrations VALUES (?, ?)").run(m.name, Date.now());
    })();
  }
  return raw;
}

const tableSql = (raw: Database.Database) =>
  raw
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'sessions'")
    .pluck()
    .get() as string;

describe.skipIf(testBackend === "postgres")(
  "SQLite sessions layout (append-only rowid table)",
  () => {
    it("keeps every session through the move: found by hash, revoked ones stay revoked, by key and agent", async () => {
      const path = join(dir, "old.db");
      const old = databaseBeforeLayout(path);
      expect(tableSql(old)).toContain("WITHOUT ROWID");
      const now = Date.now();
      const hour = 3_600_000;
      old.exec(`
      INSERT INTO agents (id, handle, display_name, created_at, updated_at)
        VALUES ('agt_a', 'alice', 'Alice', ${now}, ${now});
      INSERT INTO api_keys (id, agent_id, name, prefix, secret_hash, created_at)
        VALUES ('key_1', 'agt_a', 'one', 'fxk_a', 'h1', ${now}), ('key_2', 'agt_a', 'two', 'fxk_b', 'h2', ${now});`);
      const insert = old.prepare(
        "INSERT INTO sessions (id_hash, id, agent_id, api_key_id, created_at, expires_at, revoked_at) VALUES (?, ?, 'agt_a', ?, ?, ?, ?)",
      );
      // Keyed as the server then keyed them (the plain SHA-256); the time-first keys come later.
      insert.run(sha256Hex("ses_1"), "ses_1", "key_1", now, now + hour, null);
      insert.run(sha256Hex("ses_2"), "ses_2", "key_1", now, now + hour, now);
      insert.run(sha256Hex("ses_3"), "ses_3", "key_2", now, now + hour, null);
      old.close();

      const store = createSqliteStore(path);
      try {
        expect(tableSql(store.db.raw)).not.toContain("WITHOUT ROWID");
        expect(await store.auth.getSession(sessionIdHash("ses_1"))).toMatchObject({
          id: "ses_1",
          apiKeyId: "key_1",
          expiresAt: now + hour,
          revokedAt: null,
        });
        expect((await store.auth.getSession(sessionIdHash("ses_2")))?.revokedAt).toBe(now);
        const live = await store.auth.listSessions("agt_a", "ses_3", now, 10);
        expect(live.map((s) => [s.id, s.current])).toEqual([
          ["ses_3", true],
          ["ses_1", false],
        ]);
        // Revoking a key still finds its sessions (through sessions_by_key), and only those.
        expect(await store.auth.revokeApiKey("agt_a", "key_1", now + 1)).toBe(true);
        expect((await store.auth.getSession(sessionIdHash("ses_1")))?.revokedAt).toBe(now + 1);
        expect((await store.auth.getSession(sessionIdHash("ses_3")))?.revokedAt).toBeNull();
        // The hash and the id stay unique.
        expect(() =>
          store.db.raw
            .prepare(
              "INSERT INTO sessions (id_hash, id, agent_id, api_key_id, created_at, expires_at) VALUES (?, 'ses_9', 'agt_a', 'key_2', 0, 1)",
            )
            .run(sessionIdHash("ses_3")),
        ).toThrow(/UNIQUE/);
        expect(() =>
          store.db.raw
            .prepare(
              "INSERT INTO sessions (id_hash, id, agent_id, api_key_id, created_at, expires_at) VALUES ('other', 'ses_3', 'agt_a', 'key_2', 0, 1)",
            )
            .run(),
        ).toThrow(/UNIQUE/);
        const indexes = store.db.raw
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions' AND sql IS NOT NULL ORDER BY name",
          )
          .pluck()
          .all();
        expect(indexes).toEqual([
          "sessions_by_agent",
          "sessions_by_hash",
          "sessions_by_id",
          "sessions_by_key",
        ]);
      } finally {
        await store.close();
      }
    });
  },
);

const timeFirst = "20261207T0930_sessions_hash_time_first";

describe.skipIf(testBackend === "postgres")("SQLite sessions keyed time first", () => {
  it("keys every new session by its id's time then the SHA-256 of its id, in creation order", async () => {
    const t = createTestApp({ dbPath: join(dir, "keys.db") });
    try {
      const a = await registerAgent(t);
      for (let i = 0; i < 5; i++) {
        t.clock.advance(1);
        const r = await t.request("/api/auth/token", {
          method: "POST",
          json: { api_key: a.apiKey },
        });
        expect(r.status).toBe(200);
      }
      const rows = t.store.db.raw
        .prepare("SELECT id, id_hash FROM sessions ORDER BY rowid")
        .all() as { id: string; id_hash: string }[];
      expect(rows).toHaveLength(6);
      for (const r of rows) {
        expect(r.id_hash).toBe(r.id.slice(4, 14) + sha256Hex(r.id));
        // Nothing of the id but its time: the rest of the key is the hash.
        expect(r.id_hash).not.toContain(r.id.slice(14));
      }
      // Appended at the right edge of the index: keys ascend with the rows.
      const keys = rows.map((r) => r.id_hash);
      expect([...keys].sort()).toEqual(keys);
    } finally {
      await t.close();
    }
  });

  it("tokens issued before the upgrade keep working, and revoking their sessions still works", async () => {
    const path = join(dir, "upgrade.db");
    const clock = createManualClock();
    const before = createTestApp({ dbPath: path, clock });
    const a = await registerAgent(before);
    const second = await before.request("/api/auth/token", {
      method: "POST",
      json: { api_key: a.apiKey },
    });
    expect(second.status).toBe(200);
    await before.close();
    // The database as the previous release left it: plain SHA-256 keys, the migration not applied.
    const raw = new Database(path);
    raw.exec(`UPDATE sessions SET id_hash = substr(id_hash, 11);
      DELETE FROM applied_migrations WHERE name = '${timeFirst}';`);
    expect(raw.prepare("SELECT id_hash FROM sessions WHERE id = ?").pluck().get(a.sessionId)).toBe(
      sha256Hex(a.sessionId),
    );
    raw.close();

    const after = createTestApp({ dbPath: path, clock });
    try {
      const me = await after.request("/api/auth/session", { token: a.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.session_id).toBe(a.sessionId);
      // Revoking one session by id finds it under its new key; the other stays alive.
      const revoke = await after.request(`/api/auth/sessions/${second.body.session_id}`, {
        method: "DELETE",
        token: a.accessToken,
      });
      expect(revoke.status).toBe(204);
      const gone = await after.request("/api/auth/session", {
        token: second.body.access_token as string,
      });
      expect(gone.status).toBe(401);
      expect(gone.body.error.code).toBe("session_revoked");
      expect((await after.request("/api/auth/session", { token: a.accessToken })).status).toBe(200);
      // And a logout of the first: its token stops working at the next request.
      expect(
        (await after.request("/api/auth/logout", { method: "POST", token: a.accessToken })).status,
      ).toBe(204);
      const out = await after.request("/api/auth/session", { token: a.accessToken });
      expect(out.body.error.code).toBe("session_revoked");
    } finally {
      await after.close();
    }
  });
});
