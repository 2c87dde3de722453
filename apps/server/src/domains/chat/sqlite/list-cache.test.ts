import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteDatabase } from "../../../storage/sqlite/database.js";
import { SqlitePlatformStore } from "../../../storage/sqlite/platform-store.js";
import { createSqliteBlocksStore } from "../../blocks/sqlite-store.js";
import type { ChatStore, ConversationKey, ConversationRecord } from "../store.js";
import { createSqliteChatStore } from "./index.js";
import { conversationListCache } from "./list-cache.js";

const dir = mkdtempSync(join(tmpdir(), "fluxra-chat-list-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const agents = ["agt_a", "agt_b", "agt_c", "agt_d"];
const groups = ["cnv_g0", "cnv_g1", "cnv_g2"];

/** Every page of `caller`'s list, `limit` rows at a time, following the cursors. */
async function allPages(chat: ChatStore, caller: string, limit: number) {
  const pages: { rows: ConversationRecord[]; next: ConversationKey | null }[] = [];
  let after: ConversationKey | null = null;
  do {
    const page = await chat.listConversations(caller, after, limit);
    pages.push({ rows: [...page.rows], next: page.next });
    after = page.next;
  } while (after !== null && pages.length < 10);
  return pages;
}

/**
 * The seeded file, made once through the store and copied for every scenario: migrating a fresh
 * file for each of the property's runs was about half of its time.
 */
let template: Promise<string> | undefined;
function seededTemplate(): Promise<string> {
  template ??= (async () => {
    const path = join(dir, "template.db");
    const db = new SqliteDatabase(path);
    const add = db.raw.prepare(
      "INSERT INTO agents (id, handle, display_name, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
    );
    for (const a of agents) add.run(a, `${a.slice(4)}xx`, a);
    const chat = createSqliteChatStore(db);
    for (const [i, id] of groups.entries()) {
      const made = await chat.createGroup(
        "agt_a",
        { id, title: id, description: null, member_ids: agents },
        i + 1,
      );
      expect(made.ok).toBe(true);
    }
    db.close();
    await db.closed();
    // The last connection's close moved the WAL into the file: a copy of the file is the database.
    expect(existsSync(`${path}-wal`)).toBe(false);
    return path;
  })();
  return template;
}

/** A file with four agents and three groups (agt_a owns them; everyone is a member). */
async function seeded(name: string) {
  const path = join(dir, name);
  copyFileSync(await seededTemplate(), path);
  const db = new SqliteDatabase(path);
  const chat = createSqliteChatStore(db);
  const blocks = createSqliteBlocksStore(db);
  return { path, db, chat, blocks };
}

type Command =
  | { kind: "send"; author: number; group: number }
  | { kind: "rawSend"; author: number; group: number; other: boolean }
  | { kind: "read"; reader: number; group: number }
  | { kind: "rawRead"; reader: number; group: number; other: boolean }
  | { kind: "edit" | "delete"; group: number }
  | { kind: "title"; group: number; other: boolean }
  | { kind: "block" | "unblock"; blocker: number; target: number }
  | { kind: "blockConversation" | "unblockConversation"; blocker: number; group: number }
  | { kind: "add" | "remove" | "promote"; member: number; group: number }
  | { kind: "direct"; a: number; b: number }
  | { kind: "blockDirect" | "unblockDirect"; a: number; b: number }
  | { kind: "newGroup"; owner: number; member: number }
  | { kind: "leave"; member: number; group: number }
  | { kind: "list"; caller: number; limit: number };

const who = fc.integer({ min: 0, max: agents.length - 1 });
const group = fc.integer({ min: 0, max: groups.length - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("send" as const), author: who, group }),
  fc.record({ kind: fc.constant("rawSend" as const), author: who, group, other: fc.boolean() }),
  fc.record({ kind: fc.constant("read" as const), reader: who, group }),
  fc.record({ kind: fc.constant("rawRead" as const), reader: who, group, other: fc.boolean() }),
  fc.record({ kind: fc.constantFrom("edit" as const, "delete" as const), group }),
  fc.record({ kind: fc.constant("title" as const), group, other: fc.boolean() }),
  fc.record({
    kind: fc.constantFrom("block" as const, "unblock" as const),
    blocker: who,
    target: who,
  }),
  fc.record({
    kind: fc.constantFrom("blockConversation" as const, "unblockConversation" as const),
    blocker: who,
    group,
  }),
  fc.record({
    kind: fc.constantFrom("add" as const, "remove" as const, "promote" as const),
    member: who,
    group,
  }),
  fc.record({ kind: fc.constant("direct" as const), a: who, b: who }),
  fc.record({
    kind: fc.constantFrom("blockDirect" as const, "unblockDirect" as const),
    a: who,
    b: who,
  }),
  fc.record({ kind: fc.constant("newGroup" as const), owner: who, member: who }),
  fc.record({ kind: fc.constant("leave" as const), member: who, group }),
  fc.record({
    kind: fc.constant("list" as const),
    caller: who,
    limit: fc.integer({ min: 1, max: 4 }),
  }),
);

/**
 * Runs `commands` on a store with the cache, checking after each one that every page of every
 * agent's list (2 and 50 rows a page) equals what a second connection with the cache off reads.
 */
async function checkScenario(name: string, commands: Command[]): Promise<void> {
  const { path, db, chat, blocks } = await seeded(`${name}.db`);
  // The oracle: a second connection to the same file with the cache off.
  const truthDb = new SqliteDatabase(path);
  conversationListCache(truthDb).enabled = false;
  const truth = createSqliteChatStore(truthDb);
  let n = 0;
  const last = (conversation: string) =>
    db.raw
      .prepare("SELECT id, author_id FROM messages WHERE conversation_id = ? ORDER BY seq DESC")
      .get(conversation) as { id: string; author_id: string } | undefined;
  try {
    for (const c of commands) {
      n += 1;
      const g = "group" in c ? (groups[c.group] as string) : "";
      if (c.kind === "send") {
        await chat.sendMessage(
          agents[c.author] as string,
          g,
          {
            id: `msg_s${n}`,
            content: "x",
            content_type: "text/plain",
            reply_to_id: null,
            metadata: null,
          },
          100 + n,
        );
      } else if (c.kind === "rawSend") {
        const target = c.other ? truthDb : db;
        target.write(() => {
          const { seq } = target.raw
            .prepare(
              "UPDATE conversations SET next_seq = next_seq + 1, last_message_at = ?, activity_at = ? WHERE id = ? RETURNING next_seq - 1 AS seq",
            )
            .get(100 + n, 100 + n, g) as { seq: number };
          target.raw
            .prepare(
              `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at)
                 VALUES (?, ?, ?, ?, 'raw', 'text/plain', ?)`,
            )
            .run(`msg_r${n}`, g, seq, agents[c.author], 100 + n);
        });
      } else if (c.kind === "read") {
        const m = last(g);
        if (m) await chat.markRead(agents[c.reader] as string, g, m.id);
      } else if (c.kind === "rawRead") {
        (c.other ? truthDb : db).raw
          .prepare(
            "UPDATE conversation_members SET last_read_seq = 0, last_read_message_id = NULL WHERE conversation_id = ? AND agent_id = ?",
          )
          .run(g, agents[c.reader]);
      } else if (c.kind === "edit" || c.kind === "delete") {
        const m = last(g);
        if (m && c.kind === "edit") {
          await chat.editMessage(m.author_id, g, m.id, { content: `e${n}` }, 100 + n);
        } else if (m) {
          await chat.deleteMessage(m.author_id, g, m.id, 100 + n);
        }
      } else if (c.kind === "title") {
        if (c.other) {
          truthDb.raw.prepare("UPDATE conversations SET title = ? WHERE id = ?").run(`t${n}`, g);
        } else {
          await chat.updateConversation("agt_a", g, { title: `t${n}` }, 100 + n);
        }
      } else if (c.kind === "block" && c.blocker !== c.target) {
        await blocks.blockAgent(
          agents[c.blocker] as string,
          agents[c.target] as string,
          `blk_${n}`,
          n,
        );
      } else if (c.kind === "unblock") {
        await blocks.unblockAgent(agents[c.blocker] as string, agents[c.target] as string);
      } else if (c.kind === "blockConversation") {
        await blocks.blockConversation(agents[c.blocker] as string, g, `blk_${n}`, n);
      } else if (c.kind === "unblockConversation") {
        await blocks.unblockConversation(agents[c.blocker] as string, g);
      } else if (c.kind === "add") {
        await chat.addMember("agt_a", g, agents[c.member] as string, "member", 100 + n);
      } else if (c.kind === "remove") {
        await chat.removeMember("agt_a", g, agents[c.member] as string, 100 + n);
      } else if (c.kind === "promote") {
        await chat.updateMember("agt_a", g, agents[c.member] as string, "admin");
      } else if (c.kind === "direct" && c.a !== c.b) {
        await chat.openDirect(agents[c.a] as string, agents[c.b] as string, `cnv_d${n}`, 100 + n);
      } else if (c.kind === "blockDirect" || c.kind === "unblockDirect") {
        const [low, high] = [agents[c.a] as string, agents[c.b] as string].sort();
        const direct = db.raw
          .prepare("SELECT id FROM conversations WHERE direct_low = ? AND direct_high = ?")
          .pluck()
          .get(low, high) as string | undefined;
        if (direct !== undefined && c.kind === "blockDirect") {
          await blocks.blockConversation(agents[c.a] as string, direct, `blk_${n}`, n);
        } else if (direct !== undefined) {
          await blocks.unblockConversation(agents[c.a] as string, direct);
        }
      } else if (c.kind === "newGroup") {
        await chat.createGroup(
          agents[c.owner] as string,
          {
            id: `cnv_n${n}`,
            title: "new",
            description: null,
            member_ids: [agents[c.member] as string],
          },
          100 + n,
        );
      } else if (c.kind === "leave") {
        await chat.leave(agents[c.member] as string, g, 100 + n);
      } else if (c.kind === "list") {
        // Fill the cache at another page size too.
        await allPages(chat, agents[c.caller] as string, c.limit);
      }
      for (const caller of agents) {
        for (const limit of [2, 50]) {
          expect(await allPages(chat, caller, limit)).toEqual(await allPages(truth, caller, limit));
        }
      }
    }
  } finally {
    truthDb.close();
    db.close();
  }
}

describe("the SQLite conversation list cache", () => {
  it("serves exactly the pages an uncached connection reads, for any mix of store writes, raw SQL on the same connection and writes of another connection", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        run += 1;
        await checkScenario(`property-${run}`, commands);
      }),
      { numRuns: 60 },
    );
  });

  it("follows each kind of write, one after the other", async () => {
    const c = (x: Command) => x;
    await checkScenario("each-write", [
      c({ kind: "send", author: 0, group: 0 }),
      c({ kind: "send", author: 1, group: 1 }),
      c({ kind: "read", reader: 1, group: 0 }),
      c({ kind: "send", author: 2, group: 0 }),
      c({ kind: "block", blocker: 1, target: 2 }),
      c({ kind: "unblock", blocker: 1, target: 2 }),
      c({ kind: "block", blocker: 1, target: 0 }),
      c({ kind: "edit", group: 0 }),
      c({ kind: "delete", group: 1 }),
      c({ kind: "title", group: 2, other: false }),
      c({ kind: "remove", member: 3, group: 0 }),
      c({ kind: "add", member: 3, group: 0 }),
      c({ kind: "promote", member: 2, group: 1 }),
      c({ kind: "blockConversation", blocker: 2, group: 2 }),
      c({ kind: "unblockConversation", blocker: 2, group: 2 }),
      c({ kind: "direct", a: 1, b: 3 }),
      c({ kind: "send", author: 3, group: 0 }),
      c({ kind: "blockDirect", a: 1, b: 3 }),
      c({ kind: "unblockDirect", a: 1, b: 3 }),
      c({ kind: "newGroup", owner: 2, member: 1 }),
      c({ kind: "leave", member: 2, group: 0 }),
      c({ kind: "send", author: 3, group: 1 }),
      c({ kind: "rawSend", author: 0, group: 2, other: false }),
      c({ kind: "rawRead", reader: 1, group: 1, other: false }),
      c({ kind: "rawSend", author: 0, group: 1, other: true }),
      c({ kind: "title", group: 0, other: true }),
    ]);
  });

  it("answers a repeated list from memory, and the next list after a send shows it", async () => {
    const { db, chat } = await seeded("repeat.db");
    try {
      const first = await chat.listConversations("agt_b", null, 20);
      expect(await chat.listConversations("agt_b", null, 20)).toBe(first);
      // Rate-limit counters (a write on every rate-limited request) change nothing a list shows.
      await new SqlitePlatformStore(db).hitRateLimit("agt_b:read", 0);
      expect(await chat.listConversations("agt_b", null, 20)).toBe(first);
      // A row changed by raw SQL on the same connection (nothing told the cache) drops it.
      db.raw.prepare("UPDATE conversations SET title = 'raw' WHERE id = 'cnv_g2'").run();
      const raw = await chat.listConversations("agt_b", null, 20);
      expect(raw).not.toBe(first);
      expect(raw.rows.find((r) => r.id === "cnv_g2")?.title).toBe("raw");
      const sent = await chat.sendMessage(
        "agt_a",
        "cnv_g0",
        {
          id: "msg_one",
          content: "hi",
          content_type: "text/plain",
          reply_to_id: null,
          metadata: null,
        },
        50,
      );
      expect(sent.ok).toBe(true);
      const after = await chat.listConversations("agt_b", null, 20);
      expect(after).not.toBe(first);
      expect(after.rows[0]).toMatchObject({
        id: "cnv_g0",
        unread_count: 1,
        last_message: { id: "msg_one" },
      });
      // Records handed out are shared by later answers: nobody can change them.
      expect(Object.isFrozen(after.rows[0])).toBe(true);
    } finally {
      db.close();
    }
  });

  it("sees a write of another OS process at the next list", async () => {
    const { path, db, chat } = await seeded("process.db");
    try {
      const before = await chat.listConversations("agt_b", null, 20);
      expect(before.rows.find((r) => r.id === "cnv_g1")?.title).toBe("cnv_g1");
      expect(await chat.listConversations("agt_b", null, 20)).toBe(before);
      // Plain SQL from a separate process: no code of this server runs there. It renames a
      // group and removes agt_b from another one.
      execFileSync(
        process.execPath,
        [
          "-e",
          `const db = require("better-sqlite3")(process.argv[1]);
           db.pragma("busy_timeout = 5000");
           db.prepare("UPDATE conversations SET title = 'renamed' WHERE id = 'cnv_g1'").run();
           const r = db.prepare("DELETE FROM conversation_members WHERE conversation_id = 'cnv_g2' AND agent_id = 'agt_b'").run();
           if (r.changes !== 1) process.exit(3);`,
          path,
        ],
        { cwd: join(import.meta.dirname, "../../../.."), stdio: "inherit" },
      );
      const after = await chat.listConversations("agt_b", null, 20);
      expect(after.rows.find((r) => r.id === "cnv_g1")?.title).toBe("renamed");
      expect(after.rows.map((r) => r.id)).not.toContain("cnv_g2");
    } finally {
      db.close();
    }
  });
});
