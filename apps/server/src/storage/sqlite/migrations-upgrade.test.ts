import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteDatabase } from "./database.js";
import { createSqliteStore } from "./index.js";

const migrations = join(dirname(fileURLToPath(import.meta.url)), "migrations");
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fluxra-upgrade-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database as a server before migration `upTo` left it (only the files numbered below). */
function databaseBefore(path: string, upTo: number): SqliteDatabase {
  const older = join(dir, "older-migrations");
  mkdirSync(older);
  for (const file of readdirSync(migrations)) {
    if (Number.parseInt(file, 10) < upTo) copyFileSync(join(migrations, file), join(older, file));
  }
  return new SqliteDatabase(path, { migrationsDir: older });
}

describe("upgrading an existing SQLite database", () => {
  it("keeps idempotency records and messages through migrations 012 and 013, and the new columns work", async () => {
    const path = join(dir, "old.db");
    const old = databaseBefore(path, 12);
    const now = Date.now();
    old.raw.exec(`
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
      expect(raw.prepare("SELECT max(version) FROM schema_migrations").pluck().get()).toBe(16); // 016_member_unread_counts is the latest
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
    old.raw.exec(`
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

  it("backfills each member's unread count (migration 016) and keeps it from then on", async () => {
    const path = join(dir, "unread.db");
    const old = databaseBefore(path, 16);
    const now = Date.now();
    const values = Array.from({ length: 2500 }, (_, i) => {
      const seq = i + 1;
      const author = ["agt_a", "agt_b", "agt_c"][seq % 3];
      const deleted = seq % 7 === 0 ? now : "NULL";
      return `('msg_${seq}', 'cnv_1', ${seq}, '${author}', 'm', 'text/plain', ${now}, ${deleted})`;
    });
    old.raw.exec(`
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
});
