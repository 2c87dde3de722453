import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findMigrations, LEGACY_VERSIONS, migrationSql, migrationsIn } from "../migrations.js";
import { createSqliteStore } from "./index.js";

const migrations = findMigrations("sqlite");
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fluxra-upgrade-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A database as a numbered server (before per-domain migrations) left it before migration
 * `upTo`: the files of every lower version applied, each recorded in `schema_migrations` by
 * number and old file name (`010_chat.sql`), exactly as that server's runner did.
 */
function databaseBefore(path: string, upTo: number) {
  const raw = new Database(path);
  raw.pragma("journal_mode = WAL");
  raw.pragma("foreign_keys = ON");
  raw.exec(
    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
  );
  for (const [version, name] of Object.entries(LEGACY_VERSIONS)) {
    if (Number(version) >= upTo) continue;
    const migration = migrations.find((m) => m.name === name);
    if (migration === undefined) throw new Error(`legacy ${version} maps to no file (${name})`);
    const oldName = `${version.padStart(3, "0")}_${name.slice("20261130T0100_".length)}.sql`;
    raw.transaction(() => {
      raw.exec(migrationSql(migration));
      raw
        .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
        .run(Number(version), oldName, Date.now());
    })();
  }
  return raw;
}

/**
 * The live counts per (conversation, bucket) and per (conversation, author, bucket), from the
 * counter tables the schema has: `message_counts` and `message_author_counts` before chat
 * migration 20261207T1530_message_counts_folded, `message_bucket_counts` after.
 */
function counterRows(raw: Database.Database) {
  const folded =
    raw.prepare("SELECT 1 FROM sqlite_master WHERE name = 'message_bucket_counts'").get() !==
    undefined;
  return {
    counts: raw
      .prepare(
        folded
          ? "SELECT conversation_id, bucket, sum(live) AS live FROM message_bucket_counts GROUP BY 1, 2 ORDER BY 1, 2"
          : "SELECT conversation_id, bucket, live FROM message_counts ORDER BY 1, 2",
      )
      .all(),
    authorCounts: raw
      .prepare(
        `SELECT conversation_id, author_id, bucket, live FROM ${folded ? "message_bucket_counts" : "message_author_counts"} ORDER BY 1, 2, 3`,
      )
      .all(),
  };
}

/** Live messages per (conversation, bucket, author), counted from `messages` itself. */
const recounted = (raw: Database.Database) =>
  raw
    .prepare(
      `SELECT conversation_id, seq / 1024 AS bucket, author_id, count(*) AS live FROM messages
       WHERE deleted_at IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    )
    .all();

/** The names `applied_migrations` recorded, in order. */
const appliedNames = (raw: Database.Database) =>
  raw.prepare("SELECT name FROM applied_migrations ORDER BY name").pluck().all();

describe("upgrading an existing SQLite database", () => {
  it("keeps idempotency records and messages through migrations 012 and 013, and the new columns work", async () => {
    const path = join(dir, "old.db");
    const old = databaseBefore(path, 12);
    const now = Date.now();
    old.exec(`
      INSERT INTO agents (id, handle, display_name, created_at, updated_at)
        VALUES ('agt_a', 'alice', 'Alice', ${now}, ${now});
      INSERT INTO conversations (id, type, title, created_by, member_count, next_seq, activity_at, created_at, updated_at)
        VALUES ('cnv_1', 'group', 't', 'agt_a', 1, 3, ${now}, ${now}, ${now});
      INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
        VALUES ('cnv_1', 'agt_a', 'owner', ${now});
      INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at)
        VALUES ('msg_1', 'cnv_1', 1, 'agt_a', 'one', 'text/plain', ${now}),
               ('msg_2', 'cnv_1', 2, 'agt_a', 'two', 'text/plain', ${now});
      INSERT INTO idempotency_keys (caller, method, path, key, request_hash, status, body, headers, created_at, locked_at)
        VALUES ('agt_a', 'POST', '/api/x', 'k1', 'h1', 201, 'sealed', '{}', ${now}, ${now}),
               ('agt_a', 'POST', '/api/x', 'k2', 'h2', NULL, NULL, '{}', ${now + 1}, ${now + 1});`);
    old.close();

    const store = createSqliteStore(path);
    try {
      const raw = store.db.raw;
      // 001…011 taken over from the numbered versions, 012 onwards applied now.
      expect(appliedNames(raw)).toEqual(migrations.map((m) => m.name));
      expect(raw.prepare("SELECT max(version) FROM schema_migrations").pluck().get()).toBe(11);
      // Idempotency: both records survive, a completed one replays, a claimed one is in progress.
      const scope = { caller: "agt_a", method: "POST", path: "/api/x", key: "k1" };
      const replay = await store.platform.claimIdempotencyKey(scope, "h1", now, 0, 0);
      expect(replay).toMatchObject({ claimed: false, record: { status: 201, body: "sealed" } });
      const busy = await store.platform.claimIdempotencyKey(
        { ...scope, key: "k2" },
        "h2",
        now,
        0,
        0,
      );
      expect(busy).toMatchObject({ claimed: false, record: { status: null } });
      // The key stays unique: a new claim of a fresh key inserts once, a second claim finds it.
      const fresh = { ...scope, key: "k3" };
      expect(await store.platform.claimIdempotencyKey(fresh, "h3", now, 0, now - 60_000)).toEqual({
        claimed: true,
      });
      expect(
        await store.platform.claimIdempotencyKey(fresh, "h3", now, 0, now - 60_000),
      ).toMatchObject({ claimed: false });
      expect(raw.prepare("SELECT count(*) FROM idempotency_keys").pluck().get()).toBe(3);

      // Messages: kept and listed; messages_version starts at 0 and counts changes from now on.
      const version = () =>
        raw.prepare("SELECT messages_version FROM conversations WHERE id = 'cnv_1'").pluck().get();
      expect(version()).toBe(0);
      const page = await store.chat.listMessages(
        "agt_a",
        "cnv_1",
        { direction: "desc", seq: null },
        50,
      );
      if (!page.ok) throw new Error("listMessages failed");
      expect(JSON.parse(page.value.json).map((m: { id: string }) => m.id)).toEqual([
        "msg_2",
        "msg_1",
      ]);
      const sent = await store.chat.sendMessage(
        "agt_a",
        "cnv_1",
        {
          id: "msg_3",
          content: "three",
          content_type: "text/plain",
          reply_to_id: null,
          metadata: null,
        },
        now,
      );
      expect(sent).toMatchObject({ ok: true, value: { seq: 3 } });
      expect(version()).toBe(1);
      raw.prepare("UPDATE messages SET content = 'edited by hand' WHERE id = 'msg_1'").run();
      expect(version()).toBe(2);
      // A change made behind the store's back is seen by the next page.
      const after = await store.chat.listMessages(
        "agt_a",
        "cnv_1",
        { direction: "desc", seq: null },
        50,
      );
      if (!after.ok) throw new Error("listMessages failed");
      expect(JSON.parse(after.value.json).map((m: { content: string }) => m.content)).toEqual([
        "three",
        "two",
        "edited by hand",
      ]);
    } finally {
      await store.close();
    }
  });

  it("caps sessions opened before the rule at their api key's expiry (migration 015)", async () => {
    const path = join(dir, "sessions.db");
    const old = databaseBefore(path, 15);
    const now = Date.now();
    const hour = 3_600_000;
    const month = 30 * 24 * hour;
    old.exec(`
      INSERT INTO agents (id, handle, display_name, created_at, updated_at)
        VALUES ('agt_a', 'alice', 'Alice', ${now}, ${now});
      INSERT INTO api_keys (id, agent_id, name, prefix, secret_hash, created_at, expires_at)
        VALUES ('key_soon', 'agt_a', 'soon', 'fxk_a', 'h1', ${now}, ${now + hour}),
               ('key_never', 'agt_a', 'never', 'fxk_b', 'h2', ${now}, NULL),
               ('key_late', 'agt_a', 'late', 'fxk_c', 'h3', ${now}, ${now + 2 * month});
      INSERT INTO sessions (id_hash, id, agent_id, api_key_id, created_at, expires_at)
        VALUES ('s1', 'ses_1', 'agt_a', 'key_soon', ${now}, ${now + month}),
               ('s2', 'ses_2', 'agt_a', 'key_never', ${now}, ${now + month}),
               ('s3', 'ses_3', 'agt_a', 'key_late', ${now}, ${now + month});`);
    old.close();

    const store = createSqliteStore(path);
    try {
      const expiry = (id: string) =>
        store.db.raw.prepare("SELECT expires_at FROM sessions WHERE id = ?").pluck().get(id);
      expect(expiry("ses_1")).toBe(now + hour);
      expect(expiry("ses_2")).toBe(now + month);
      expect(expiry("ses_3")).toBe(now + month);
    } finally {
      await store.close();
    }
  });

  it("opens a database every numbered migration (001…015) was applied to without re-running one", async () => {
    const path = join(dir, "numbered.db");
    const old = databaseBefore(path, 16);
    const now = Date.now();
    old.exec(`
      INSERT INTO agents (id, handle, display_name, created_at, updated_at)
        VALUES ('agt_a', 'alice', 'Alice', ${now}, ${now});
      INSERT INTO conversations (id, type, title, created_by, member_count, next_seq, activity_at, created_at, updated_at)
        VALUES ('cnv_1', 'group', 't', 'agt_a', 1, 2, ${now}, ${now}, ${now});
      INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
        VALUES ('cnv_1', 'agt_a', 'owner', ${now});
      INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at)
        VALUES ('msg_1', 'cnv_1', 1, 'agt_a', 'one', 'text/plain', ${now});`);
    old.close();
    const reference = databaseBefore(join(dir, "reference.db"), 16);
    const legacy = new Set(Object.values(LEGACY_VERSIONS));
    for (const m of migrations.filter((m) => !legacy.has(m.name))) reference.exec(migrationSql(m));
    const schemaBefore = reference
      .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
      .all();
    reference.close();

    // Every file's CREATE TABLE / CREATE TRIGGER would fail on a second run: opening proves none ran.
    const store = createSqliteStore(path);
    try {
      const raw = store.db.raw;
      expect(appliedNames(raw)).toEqual(migrations.map((m) => m.name));
      expect(raw.prepare("SELECT version FROM schema_migrations ORDER BY 1").pluck().all()).toEqual(
        Object.keys(LEGACY_VERSIONS).map(Number),
      );
      // The schema is the one the numbered server left plus the migrations added since (each
      // applied once, on top), and the new bookkeeping table.
      const schemaAfter = raw
        .prepare(
          "SELECT type, name, sql FROM sqlite_master WHERE tbl_name <> 'applied_migrations' ORDER BY type, name",
        )
        .all();
      expect(schemaAfter).toEqual(schemaBefore);
      // The data is there and the store works on it.
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
    } finally {
      await store.close();
    }
    // Opening again applies nothing and changes nothing.
    const again = createSqliteStore(path);
    try {
      expect(appliedNames(again.db.raw)).toEqual(migrations.map((m) => m.name));
    } finally {
      await again.close();
    }
  });

  it("applies a migration added later exactly once, after the ones taken over", async () => {
    const path = join(dir, "later.db");
    databaseBefore(path, 16).close();
    const extraDir = join(dir, "extra");
    mkdirSync(extraDir);
    writeFileSync(
      join(extraDir, "20990101T0000_later.sql"),
      "CREATE TABLE later (x INTEGER) STRICT;",
    );
    const withLater = [...migrations, ...migrationsIn(extraDir)];
    for (let i = 0; i < 2; i++) {
      const store = createSqliteStore(path, { migrations: withLater });
      try {
        expect(appliedNames(store.db.raw).at(-1)).toBe("20990101T0000_later");
        expect(store.db.raw.prepare("SELECT count(*) FROM later").pluck().get()).toBe(0);
      } finally {
        await store.close();
      }
    }
  });

  it("refuses to start on a database recorded by a newer numbered server it does not know", async () => {
    const path = join(dir, "unknown.db");
    const old = databaseBefore(path, 16);
    old.exec(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (16, '016_x.sql', 0)",
    );
    old.close();
    expect(() => createSqliteStore(path)).toThrow(/unknown legacy migration version 16/);
  });
  it("backfills each member's unread count (migration 20261207T0000_member_unread_counts) and keeps it from then on", async () => {
    const path = join(dir, "unread.db");
    const old = databaseBefore(path, 16);
    const now = Date.now();
    const values = Array.from({ length: 2500 }, (_, i) => {
      const seq = i + 1;
      const author = ["agt_a", "agt_b", "agt_c"][seq % 3];
      const deleted = seq % 7 === 0 ? now : "NULL";
      return `('msg_${seq}', 'cnv_1', ${seq}, '${author}', 'm', 'text/plain', ${now}, ${deleted})`;
    });
    old.exec(`
      INSERT INTO agents (id, handle, display_name, created_at, updated_at)
        VALUES ('agt_a', 'alice', 'A', ${now}, ${now}), ('agt_b', 'bob', 'B', ${now}, ${now}),
               ('agt_c', 'carol', 'C', ${now}, ${now});
      INSERT INTO conversations (id, type, title, created_by, member_count, next_seq, activity_at, created_at, updated_at)
        VALUES ('cnv_1', 'group', 't', 'agt_a', 3, 2501, ${now}, ${now}, ${now});
      INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at, last_read_seq)
        VALUES ('cnv_1', 'agt_a', 'owner', ${now}, 0), ('cnv_1', 'agt_b', 'member', ${now}, 1100),
               ('cnv_1', 'agt_c', 'member', ${now}, 2499);
      INSERT INTO blocks (id, blocker_id, type, target_id, created_at)
        VALUES ('blk_1', 'agt_b', 'agent', 'agt_c', ${now});
      INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at, deleted_at)
        VALUES ${values.join(",\n")};`);
    old.close();

    const store = createSqliteStore(path);
    try {
      const raw = store.db.raw;
      const oracle = (agent: string) =>
        raw
          .prepare(
            `SELECT count(*) FROM messages m, conversation_members cm
             WHERE m.conversation_id = 'cnv_1' AND cm.conversation_id = 'cnv_1' AND cm.agent_id = @agent
               AND m.seq > cm.last_read_seq AND m.deleted_at IS NULL AND m.author_id <> @agent
               AND m.author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = @agent AND type = 'agent')`,
          )
          .pluck()
          .get({ agent });
      const stored = (agent: string) =>
        raw
          .prepare(
            "SELECT unread_count FROM conversation_members WHERE conversation_id = 'cnv_1' AND agent_id = ?",
          )
          .pluck()
          .get(agent);
      // By hand: a reads 2,500 - 357 deleted - 714 own (seq % 3 = 0, live) messages.
      expect(stored("agt_a")).toBe(1429);
      for (const agent of ["agt_a", "agt_b", "agt_c"]) expect(stored(agent)).toBe(oracle(agent));
      const view = await store.chat.getConversation("agt_b", "cnv_1");
      expect(view?.unread_count).toBe(oracle("agt_b"));
      // The triggers take over from the backfill.
      await store.chat.sendMessage(
        "agt_c",
        "cnv_1",
        {
          id: "msg_new",
          content: "x",
          content_type: "text/plain",
          reply_to_id: null,
          metadata: null,
        },
        now,
      );
      expect(stored("agt_a")).toBe(1430);
      for (const agent of ["agt_a", "agt_b", "agt_c"]) expect(stored(agent)).toBe(oracle(agent));
    } finally {
      await store.close();
    }
  });

  it("clusters messages by (conversation_id, seq) (migration 20261207T0900_messages_clustered_by_seq), keeping every row, counter and trigger", async () => {
    const path = join(dir, "clustered.db");
    const CLUSTERED = "20261207T0900_messages_clustered_by_seq";
    const before = createSqliteStore(path, {
      migrations: migrations.filter((m) => m.name < CLUSTERED),
    });
    const now = Date.now();
    const raw0 = before.db.raw;
    raw0.exec(`
      INSERT INTO agents (id, handle, display_name, created_at, updated_at)
        VALUES ('agt_a', 'alice', 'A', ${now}, ${now}), ('agt_b', 'bob', 'B', ${now}, ${now}),
               ('agt_c', 'carol', 'C', ${now}, ${now});
      INSERT INTO conversations (id, type, title, created_by, member_count, activity_at, created_at, updated_at)
        VALUES ('cnv_1', 'group', 't', 'agt_a', 3, ${now}, ${now}, ${now}),
               ('cnv_2', 'group', 'u', 'agt_b', 2, ${now}, ${now}, ${now});
      INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
        VALUES ('cnv_1', 'agt_a', 'owner', ${now}), ('cnv_1', 'agt_b', 'member', ${now}),
               ('cnv_1', 'agt_c', 'member', ${now}), ('cnv_2', 'agt_b', 'owner', ${now}),
               ('cnv_2', 'agt_a', 'member', ${now});
      INSERT INTO blocks (id, blocker_id, type, target_id, created_at)
        VALUES ('blk_1', 'agt_b', 'agent', 'agt_c', ${now});`);
    // Interleaved across both conversations, so the old table's rowid order is not the new key's.
    const insert = raw0.prepare(
      `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, metadata, created_at)
       VALUES (?, ?, ?, ?, ?, 'text/plain', ?, ?)`,
    );
    for (let i = 1; i <= 1500; i++) {
      const [conversation, seq] = i % 3 === 0 ? ["cnv_2", i / 3] : ["cnv_1", i - Math.floor(i / 3)];
      const author = ["agt_a", "agt_b", "agt_c"][i % 3] as string;
      insert.run(
        `msg_${String(i).padStart(5, "0")}`,
        conversation,
        seq,
        author,
        `m ${i}`,
        i % 5 ? null : '{"k":1}',
        now + i,
      );
    }
    raw0.exec(`UPDATE messages SET content = NULL, deleted_at = ${now} WHERE seq % 7 = 0;
      UPDATE messages SET content = 'edited', edited_at = ${now} WHERE seq % 11 = 0 AND deleted_at IS NULL;
      UPDATE conversation_members SET last_read_seq = 600 WHERE agent_id = 'agt_b' AND conversation_id = 'cnv_1';`);
    const snapshot = (raw: Database.Database) => ({
      messages: raw.prepare("SELECT * FROM messages ORDER BY id").all(),
      ...counterRows(raw),
      conversations: raw
        .prepare(
          "SELECT id, next_seq, messages_version, last_message_at, activity_at FROM conversations ORDER BY id",
        )
        .all(),
      members: raw.prepare("SELECT * FROM conversation_members ORDER BY 1, 2").all(),
    });
    const old = snapshot(raw0);
    expect(old.messages).toHaveLength(1500);
    await before.close();

    const store = createSqliteStore(path);
    try {
      const raw = store.db.raw;
      const schema = raw
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'messages'")
        .pluck()
        .get() as string;
      expect(schema).toMatch(/PRIMARY KEY \(conversation_id, seq\)\s*\) STRICT, WITHOUT ROWID/);
      expect(
        raw.prepare("SELECT name FROM sqlite_master WHERE name = 'messages_live_by_seq'").get(),
      ).toBeUndefined();
      expect(snapshot(raw)).toEqual(old);
      const oracle = (agent: string) =>
        raw
          .prepare(
            `SELECT count(*) FROM messages m, conversation_members cm
             WHERE m.conversation_id = 'cnv_1' AND cm.conversation_id = 'cnv_1' AND cm.agent_id = @agent
               AND m.seq > cm.last_read_seq AND m.deleted_at IS NULL AND m.author_id <> @agent
               AND m.author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = @agent AND type = 'agent')`,
          )
          .pluck()
          .get({ agent });
      const stored = (agent: string) =>
        raw
          .prepare(
            "SELECT unread_count FROM conversation_members WHERE conversation_id = 'cnv_1' AND agent_id = ?",
          )
          .pluck()
          .get(agent);
      const agents = ["agt_a", "agt_b", "agt_c"];
      for (const agent of agents) expect(stored(agent)).toBe(oracle(agent));
      // Every trigger works on the new table: a send (seq, version, counts, unread), a tombstone,
      // an edit, a moved marker and a block (the member and block triggers name `messages`).
      const sent = await store.chat.sendMessage(
        "agt_c",
        "cnv_1",
        {
          id: "msg_new",
          content: "x",
          content_type: "text/plain",
          reply_to_id: null,
          metadata: null,
        },
        now,
      );
      expect(sent.ok && sent.value.seq).toBe(1001);
      const version = () =>
        raw.prepare("SELECT messages_version FROM conversations WHERE id = 'cnv_1'").pluck().get();
      expect(version()).toBe(
        (old.conversations[0] as { messages_version: number }).messages_version + 1,
      );
      const deleted = await store.chat.deleteMessage("agt_c", "cnv_1", "msg_new", now);
      expect(deleted.ok).toBe(true);
      const edited = await store.chat.editMessage(
        "agt_b",
        "cnv_1",
        "msg_00001",
        { content: "again" },
        now,
      );
      expect(edited.ok).toBe(true);
      expect(version()).toBe(
        (old.conversations[0] as { messages_version: number }).messages_version + 3,
      );
      expect((await store.chat.markRead("agt_a", "cnv_1", "msg_00500")).ok).toBe(true);
      expect((await store.chat.markRead("agt_c", "cnv_1", "msg_00004")).ok).toBe(true);
      raw.prepare("DELETE FROM blocks WHERE id = 'blk_1'").run();
      for (const agent of agents) expect(stored(agent)).toBe(oracle(agent));
      const live = raw
        .prepare("SELECT sum(live) FROM message_bucket_counts WHERE conversation_id = 'cnv_1'")
        .pluck()
        .get();
      expect(live).toBe(
        raw
          .prepare(
            "SELECT count(*) FROM messages WHERE conversation_id = 'cnv_1' AND deleted_at IS NULL",
          )
          .pluck()
          .get(),
      );
      // Both keys still refuse duplicates.
      const dup = raw.prepare(
        `INSERT INTO messages (id, conversation_id, seq, author_id, content_type, created_at)
         VALUES (?, 'cnv_1', ?, 'agt_a', 'text/plain', 0)`,
      );
      expect(() => dup.run("msg_00001", 5000)).toThrow(/UNIQUE constraint failed: messages.id/);
      expect(() => dup.run("msg_other", 1)).toThrow(
        /UNIQUE constraint failed: messages.conversation_id, messages.seq/,
      );
    } finally {
      await store.close();
    }
  });

  it("folds the two counter tables into message_bucket_counts (migration 20261207T1530_message_counts_folded), keeping every count, and its triggers keep counts and unread counts exact", async () => {
    const path = join(dir, "folded.db");
    const FOLDED = "20261207T1530_message_counts_folded";
    const before = createSqliteStore(path, {
      migrations: migrations.filter((m) => m.name < FOLDED),
    });
    const now = Date.now();
    const raw0 = before.db.raw;
    raw0.exec(`
      INSERT INTO agents (id, handle, display_name, created_at, updated_at)
        VALUES ('agt_a', 'alice', 'A', ${now}, ${now}), ('agt_b', 'bob', 'B', ${now}, ${now}),
               ('agt_c', 'carol', 'C', ${now}, ${now}), ('agt_d', 'dave', 'D', ${now}, ${now});
      INSERT INTO conversations (id, type, title, created_by, member_count, activity_at, created_at, updated_at)
        VALUES ('cnv_1', 'group', 't', 'agt_a', 3, ${now}, ${now}, ${now}),
               ('cnv_2', 'group', 'u', 'agt_b', 2, ${now}, ${now}, ${now});
      INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
        VALUES ('cnv_1', 'agt_a', 'owner', ${now}), ('cnv_1', 'agt_b', 'member', ${now}),
               ('cnv_1', 'agt_c', 'member', ${now}), ('cnv_2', 'agt_b', 'owner', ${now}),
               ('cnv_2', 'agt_a', 'member', ${now});
      INSERT INTO blocks (id, blocker_id, type, target_id, created_at)
        VALUES ('blk_1', 'agt_b', 'agent', 'agt_c', ${now});`);
    // Three buckets of cnv_1 by three authors, one of cnv_2 by two.
    const insert = raw0.prepare(
      `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at)
       VALUES (?, ?, ?, ?, 'm', 'text/plain', ?)`,
    );
    raw0.transaction(() => {
      for (let seq = 1; seq <= 2600; seq++) {
        const author = ["agt_a", "agt_b", "agt_c"][seq % 3] as string;
        insert.run(`msg_1_${seq}`, "cnv_1", seq, author, now + seq);
      }
      for (let seq = 1; seq <= 300; seq++) {
        insert.run(`msg_2_${seq}`, "cnv_2", seq, seq % 2 ? "agt_a" : "agt_b", now + seq);
      }
    })();
    raw0.exec(`UPDATE messages SET content = NULL, deleted_at = ${now} WHERE seq % 7 = 0;
      UPDATE conversation_members SET last_read_seq = 600 WHERE agent_id = 'agt_b' AND conversation_id = 'cnv_1';
      UPDATE conversation_members SET last_read_seq = 1500 WHERE agent_id = 'agt_c' AND conversation_id = 'cnv_1';`);
    const members = (raw: Database.Database) =>
      raw.prepare("SELECT * FROM conversation_members ORDER BY 1, 2").all();
    const old = { ...counterRows(raw0), members: members(raw0) };
    expect(old.authorCounts.length).toBeGreaterThan(9);
    await before.close();

    const store = createSqliteStore(path);
    try {
      const raw = store.db.raw;
      const tables = raw
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'message%counts'",
        )
        .pluck()
        .all();
      expect(tables).toEqual(["message_bucket_counts"]);
      // Every count kept, per author and (summed over authors) per bucket; no member's count moved.
      expect({ ...counterRows(raw), members: members(raw) }).toEqual(old);
      const live = () =>
        raw
          .prepare(
            "SELECT conversation_id, bucket, author_id, live FROM message_bucket_counts WHERE live > 0 ORDER BY 1, 2, 3",
          )
          .all();
      const oracle = (conversation: string, agent: string) =>
        raw
          .prepare(
            `SELECT count(*) FROM messages m, conversation_members cm
             WHERE m.conversation_id = @conversation AND cm.conversation_id = @conversation
               AND cm.agent_id = @agent AND m.seq > cm.last_read_seq AND m.deleted_at IS NULL
               AND m.author_id <> @agent AND m.author_id NOT IN
                 (SELECT target_id FROM blocks WHERE blocker_id = @agent AND type = 'agent')`,
          )
          .pluck()
          .get({ conversation, agent });
      /** Counters equal a recount of the messages; every member's unread count its definition. */
      const exact = () => {
        expect(live()).toEqual(recounted(raw));
        const rows = raw
          .prepare("SELECT conversation_id, agent_id, unread_count FROM conversation_members")
          .all() as { conversation_id: string; agent_id: string; unread_count: number }[];
        for (const r of rows) expect(r.unread_count).toBe(oracle(r.conversation_id, r.agent_id));
      };
      exact();
      const send = async (author: string, conversation: string) => {
        const sent = await store.chat.sendMessage(
          author,
          conversation,
          {
            id: `msg_new_${author}_${raw.prepare("SELECT next_seq FROM conversations WHERE id = ?").pluck().get(conversation)}`,
            content: "x",
            content_type: "text/plain",
            reply_to_id: null,
            metadata: null,
          },
          now,
        );
        expect(sent.ok).toBe(true);
      };
      // A send by a blocked author, one starting a new author's bucket row, a tombstone.
      await send("agt_c", "cnv_1");
      await send("agt_b", "cnv_2");
      await send("agt_a", "cnv_1");
      exact();
      expect((await store.chat.deleteMessage("agt_a", "cnv_1", "msg_1_3", now)).ok).toBe(true);
      exact();
      // Markers moved both ways, blocks made and dropped (by the store and by hand), a new member.
      expect((await store.chat.markRead("agt_a", "cnv_1", "msg_1_2050")).ok).toBe(true);
      raw
        .prepare("UPDATE conversation_members SET last_read_seq = 10 WHERE agent_id = 'agt_c'")
        .run();
      exact();
      raw
        .prepare(
          `INSERT INTO blocks (id, blocker_id, type, target_id, created_at)
           VALUES ('blk_2', 'agt_a', 'agent', 'agt_b', ${now})`,
        )
        .run();
      exact();
      raw.prepare("DELETE FROM blocks WHERE id = 'blk_1'").run();
      exact();
      raw
        .prepare(
          `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at, last_read_seq)
           VALUES ('cnv_1', 'agt_d', 'member', ${now}, 1000)`,
        )
        .run();
      exact();
    } finally {
      await store.close();
    }
  });
});
