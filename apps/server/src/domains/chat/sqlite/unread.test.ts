import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteDatabase } from "../../../storage/sqlite/database.js";
import { createSqliteBlocksStore } from "../../blocks/sqlite-store.js";
import { createSqliteChatStore } from "./index.js";
import { COUNT_BUCKET, NOT_BLOCKED_AUTHOR } from "./sql.js";

const dir = mkdtempSync(join(tmpdir(), "fluxra-chat-unread-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const agents = ["agt_a", "agt_b", "agt_c", "agt_d"];

/** The definition of an unread count, as one plain query over every message (the oracle). */
const ORACLE = `SELECT count(*) AS n FROM messages
  WHERE conversation_id = @id AND seq > @seq AND deleted_at IS NULL
    AND author_id <> @caller AND ${NOT_BLOCKED_AUTHOR}`;

type Command =
  | { kind: "send"; author: number; count: number }
  | { kind: "delete"; at: number }
  | { kind: "block"; blocker: number; target: number }
  | { kind: "unblock"; blocker: number; target: number }
  | { kind: "read"; reader: number; at: number }
  | { kind: "rewind"; reader: number; at: number }
  | { kind: "edit"; at: number }
  | { kind: "remove"; member: number }
  | { kind: "add"; member: number };

const who = fc.integer({ min: 0, max: agents.length - 1 });
const at = fc.double({ min: 0, max: 1, noNaN: true });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant("send" as const),
    author: who,
    count: fc.integer({ min: 1, max: 900 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), at }),
  fc.record({ kind: fc.constant("block" as const), blocker: who, target: who }),
  fc.record({ kind: fc.constant("unblock" as const), blocker: who, target: who }),
  fc.record({ kind: fc.constant("read" as const), reader: who, at }),
  // Moves a marker anywhere (backward too), as a writer other than the store could.
  fc.record({ kind: fc.constant("rewind" as const), reader: who, at }),
  fc.record({ kind: fc.constant("edit" as const), at }),
  fc.record({ kind: fc.constant("remove" as const), member: who }),
  fc.record({ kind: fc.constant("add" as const), member: who }),
);

describe("unread counts (per-member counters, recomputed from buckets)", () => {
  it("equal the plain count for any mix of sends, deletes, edits, blocks, read markers (either way) and member removals and re-adds, in views and lists", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (commands) => {
        run += 1;
        const db = new SqliteDatabase(join(dir, `unread-${run}.db`));
        try {
          const add = db.raw.prepare(
            "INSERT INTO agents (id, handle, display_name, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
          );
          for (const a of agents) add.run(a, `${a.slice(4)}xx`, a);
          const chat = createSqliteChatStore(db);
          const blocks = createSqliteBlocksStore(db);
          const group = await chat.createGroup(
            "agt_a",
            { id: "cnv_g", title: "g", description: null, member_ids: agents },
            1,
          );
          expect(group.ok).toBe(true);
          let seq = 0;
          // Bulk sends go straight to the table (triggers still fire) to cross buckets quickly.
          const insert = db.raw.prepare(
            `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at)
             VALUES (?, 'cnv_g', ?, ?, 'x', 'text/plain', 1)`,
          );
          for (const c of commands) {
            if (c.kind === "send") {
              db.write(() => {
                for (let i = 0; i < c.count; i++) insert.run(`msg_${++seq}`, seq, agents[c.author]);
              });
            } else if (c.kind === "delete" && seq > 0) {
              const target = `msg_${1 + Math.floor(c.at * (seq - 1))}`;
              const author = (
                db.raw.prepare("SELECT author_id FROM messages WHERE id = ?").get(target) as {
                  author_id: string;
                }
              ).author_id;
              await chat.deleteMessage(author, "cnv_g", target, 2);
            } else if (c.kind === "block" && c.blocker !== c.target) {
              await blocks.blockAgent(
                agents[c.blocker] ?? "",
                agents[c.target] ?? "",
                `blk_${run}_${c.blocker}_${c.target}`,
                3,
              );
            } else if (c.kind === "unblock") {
              await blocks.unblockAgent(agents[c.blocker] ?? "", agents[c.target] ?? "");
            } else if (c.kind === "rewind" && seq > 0) {
              const target = 1 + Math.floor(c.at * (seq - 1));
              db.raw
                .prepare(
                  `UPDATE conversation_members SET last_read_seq = ?, last_read_message_id = ?
                   WHERE conversation_id = 'cnv_g' AND agent_id = ?`,
                )
                .run(target, `msg_${target}`, agents[c.reader]);
            } else if (c.kind === "edit" && seq > 0) {
              const target = `msg_${1 + Math.floor(c.at * (seq - 1))}`;
              const author = db.raw
                .prepare("SELECT author_id FROM messages WHERE id = ?")
                .pluck()
                .get(target) as string;
              await chat.editMessage(author, "cnv_g", target, { content: "edited" }, 4);
            } else if (c.kind === "remove" && c.member !== 0) {
              await chat.removeMember("agt_a", "cnv_g", agents[c.member] ?? "", 5);
            } else if (c.kind === "add" && c.member !== 0) {
              await chat.addMember("agt_a", "cnv_g", agents[c.member] ?? "", "member", 6);
            } else if (c.kind === "read" && seq > 0) {
              await chat.markRead(
                agents[c.reader] ?? "",
                "cnv_g",
                `msg_${1 + Math.floor(c.at * (seq - 1))}`,
              );
            }
          }
          for (const caller of agents) {
            const view = await chat.getConversation(caller, "cnv_g");
            const marker = db.raw
              .prepare(
                "SELECT last_read_seq, unread_count FROM conversation_members WHERE conversation_id = 'cnv_g' AND agent_id = ?",
              )
              .get(caller) as { last_read_seq: number; unread_count: number } | undefined;
            if (marker === undefined) {
              // A removed member sees neither the conversation nor a list row for it.
              expect(view).toBeNull();
              const listed = await chat.listConversations(caller, null, 50);
              expect(listed.rows.find((r) => r.id === "cnv_g")).toBeUndefined();
              continue;
            }
            const expected = db.raw
              .prepare(ORACLE)
              .get({ id: "cnv_g", seq: marker.last_read_seq, caller }) as { n: number };
            // The stored counter (migration 20261207T0000_member_unread_counts) itself, then what the API shows.
            expect(marker.unread_count).toBe(expected.n);
            expect(view?.unread_count).toBe(expected.n);
            // The list computes the same view in one statement: it must agree field for field
            // (last visible message included) with the per-conversation path.
            const listed = await chat.listConversations(caller, null, 50);
            expect(listed.rows.find((r) => r.id === "cnv_g")).toEqual(view);
          }
        } finally {
          db.close();
        }
      }),
      { numRuns: 30 },
    );
  });

  it("keeps each member's stored count equal to the definition through every transition", async () => {
    const db = new SqliteDatabase(join(dir, "transitions.db"));
    try {
      const add = db.raw.prepare(
        "INSERT INTO agents (id, handle, display_name, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
      );
      for (const a of agents) add.run(a, `${a.slice(4)}xx`, a);
      const chat = createSqliteChatStore(db);
      const blocks = createSqliteBlocksStore(db);
      await chat.createGroup(
        "agt_a",
        { id: "cnv_g", title: "g", description: null, member_ids: agents },
        1,
      );
      let seq = 0;
      const insert = db.raw.prepare(
        `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, created_at)
         VALUES (?, 'cnv_g', ?, ?, 'x', 'text/plain', 1)`,
      );
      const bump = db.raw.prepare("UPDATE conversations SET next_seq = ? WHERE id = 'cnv_g'");
      const bulk = (author: string, count: number) =>
        db.write(() => {
          for (let i = 0; i < count; i++) insert.run(`msg_${++seq}`, seq, author);
          bump.run(seq + 1);
        });
      const stored = (agent: string) =>
        db.raw
          .prepare(
            "SELECT unread_count FROM conversation_members WHERE conversation_id = 'cnv_g' AND agent_id = ?",
          )
          .pluck()
          .get(agent) as number | undefined;
      const oracle = (agent: string) => {
        const marker = db.raw
          .prepare(
            "SELECT last_read_seq FROM conversation_members WHERE conversation_id = 'cnv_g' AND agent_id = ?",
          )
          .pluck()
          .get(agent) as number;
        return (
          db.raw.prepare(ORACLE).get({ id: "cnv_g", seq: marker, caller: agent }) as {
            n: number;
          }
        ).n;
      };
      /** Every member's stored count and view equal the definition; returns them by agent. */
      const check = async () => {
        const counts: Record<string, number> = {};
        for (const agent of agents) {
          const n = stored(agent);
          if (n === undefined) continue;
          expect(n).toBe(oracle(agent));
          const view = await chat.getConversation(agent, "cnv_g");
          expect(view?.unread_count).toBe(n);
          // The list (its cached last message included) agrees with the view after each step.
          const listed = await chat.listConversations(agent, null, 10);
          expect(listed.rows).toEqual([view]);
          counts[agent] = n;
        }
        return counts;
      };

      bulk("agt_b", 1500);
      bulk("agt_c", 1200);
      bulk("agt_a", 10);
      expect(await check()).toEqual({ agt_a: 2700, agt_b: 1210, agt_c: 1510, agt_d: 2710 });

      // Read marker forward, backward (by hand, as any writer could), forward again.
      expect(await chat.markRead("agt_d", "cnv_g", "msg_700")).toMatchObject({
        ok: true,
        value: { unread_count: 2010 },
      });
      db.raw
        .prepare(
          "UPDATE conversation_members SET last_read_seq = 100, last_read_message_id = 'msg_100' WHERE conversation_id = 'cnv_g' AND agent_id = 'agt_d'",
        )
        .run();
      expect((await check())["agt_d"]).toBe(2610);
      await chat.markRead("agt_d", "cnv_g", "msg_2000");
      expect((await check())["agt_d"]).toBe(710);

      // Blocking an author takes their messages out; unblocking puts them back.
      await blocks.blockAgent("agt_d", "agt_c", "blk_1", 2);
      expect((await check())["agt_d"]).toBe(10);
      await blocks.unblockAgent("agt_d", "agt_c");
      expect((await check())["agt_d"]).toBe(710);

      // A new message from a blocked author counts for nobody who blocks it.
      await blocks.blockAgent("agt_a", "agt_b", "blk_2", 2);
      const before = await check();
      const sent = await chat.sendMessage(
        "agt_b",
        "cnv_g",
        {
          id: "msg_live",
          content: "hi",
          content_type: "text/plain",
          reply_to_id: null,
          metadata: null,
        },
        3,
      );
      expect(sent.ok).toBe(true);
      seq += 1;
      expect(await check()).toEqual({
        agt_a: before["agt_a"],
        agt_b: before["agt_b"],
        agt_c: (before["agt_c"] ?? 0) + 1,
        agt_d: (before["agt_d"] ?? 0) + 1,
      });

      // Deleting one's own message, and a moderator deleting another's.
      expect(await chat.deleteMessage("agt_c", "cnv_g", "msg_2500", 4)).toMatchObject({ ok: true });
      expect(await chat.deleteMessage("agt_a", "cnv_g", "msg_2600", 4)).toMatchObject({ ok: true });
      const deleted = await check();
      expect(deleted["agt_d"]).toBe((before["agt_d"] ?? 0) + 1 - 2);
      // Deleting again changes nothing; edits change no count.
      await chat.deleteMessage("agt_c", "cnv_g", "msg_2500", 5);
      await chat.editMessage("agt_c", "cnv_g", "msg_2550", { content: "edited" }, 5);
      expect(await check()).toEqual(deleted);

      // Removed, more messages, re-added: the new membership counts from its own marker.
      expect(await chat.removeMember("agt_a", "cnv_g", "agt_d", 6)).toMatchObject({ ok: true });
      expect(stored("agt_d")).toBeUndefined();
      bulk("agt_b", 5);
      expect(await chat.addMember("agt_a", "cnv_g", "agt_d", "member", 7)).toMatchObject({
        ok: true,
      });
      const readded = await check();
      expect(readded["agt_d"]).toBe(oracle("agt_d"));
      expect(readded["agt_d"]).toBeGreaterThan(2000);
    } finally {
      db.close();
    }
  });

  it("list rows carry the last message exactly as the single view does (escapes, unicode, metadata, edits)", async () => {
    const db = new SqliteDatabase(join(dir, "last-message.db"));
    try {
      const add = db.raw.prepare(
        "INSERT INTO agents (id, handle, display_name, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
      );
      for (const a of agents) add.run(a, `${a.slice(4)}xx`, a);
      const chat = createSqliteChatStore(db);
      await chat.createGroup(
        "agt_a",
        { id: "cnv_g", title: "g", description: null, member_ids: ["agt_b"] },
        1,
      );
      const content = 'quote " backslash \\ newline \n tab \t emoji 🦊 é \u2028 </script>';
      const sent = await chat.sendMessage(
        "agt_b",
        "cnv_g",
        {
          id: "msg_1",
          content,
          content_type: "text/markdown",
          reply_to_id: null,
          metadata: { nested: { list: [1, 2.5, "é", null, true] }, "key with space": "v" },
        },
        1_700_000_000_123,
      );
      expect(sent.ok).toBe(true);
      await chat.editMessage(
        "agt_b",
        "cnv_g",
        "msg_1",
        { content: `${content} (edited)` },
        1_700_000_000_456,
      );
      for (const caller of ["agt_a", "agt_b"]) {
        const view = await chat.getConversation(caller, "cnv_g");
        const listed = await chat.listConversations(caller, null, 10);
        expect(listed.rows).toEqual([view]);
        expect(view?.last_message).toMatchObject({
          content: `${content} (edited)`,
          metadata: { nested: { list: [1, 2.5, "é", null, true] }, "key with space": "v" },
          created_at: "2023-11-14T22:13:20.123Z",
          edited_at: "2023-11-14T22:13:20.456Z",
        });
      }
      // The list keeps the last message between calls; a change by another connection (any
      // writer) and a block of its author are seen by the next list all the same.
      const other = new SqliteDatabase(join(dir, "last-message.db"));
      other.raw
        .prepare("UPDATE messages SET content = 'changed elsewhere' WHERE id = 'msg_1'")
        .run();
      other.close();
      const changed = await chat.listConversations("agt_a", null, 10);
      expect(changed.rows[0]?.last_message?.content).toBe("changed elsewhere");
      expect(changed.rows).toEqual([await chat.getConversation("agt_a", "cnv_g")]);
      await createSqliteBlocksStore(db).blockAgent("agt_a", "agt_b", "blk_l", 2);
      const blocked = await chat.listConversations("agt_a", null, 10);
      expect(blocked.rows[0]?.last_message).toBeNull();
      expect((await chat.listConversations("agt_b", null, 10)).rows[0]?.last_message?.id).toBe(
        "msg_1",
      );
    } finally {
      db.close();
    }
  });

  it("counts nothing for a row inserted already tombstoned, yet moves the conversation's version and next seq", async () => {
    const db = new SqliteDatabase(join(dir, "tombstoned-insert.db"));
    try {
      const add = db.raw.prepare(
        "INSERT INTO agents (id, handle, display_name, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
      );
      for (const a of agents.slice(0, 2)) add.run(a, `${a.slice(4)}xx`, a);
      const chat = createSqliteChatStore(db);
      await chat.createGroup(
        "agt_a",
        { id: "cnv_t", title: "t", description: null, member_ids: ["agt_b"] },
        1,
      );
      const conversation = () =>
        db.raw
          .prepare("SELECT messages_version, next_seq FROM conversations WHERE id = 'cnv_t'")
          .get() as { messages_version: number; next_seq: number };
      const before = conversation();
      // A hand-written INSERT (another tool, a restore): the insert trigger still runs.
      db.raw
        .prepare(
          `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type,
             created_at, deleted_at) VALUES ('msg_t1', 'cnv_t', 1, 'agt_a', NULL, 'text/plain', 5, 6)`,
        )
        .run();
      expect(conversation()).toEqual({
        messages_version: before.messages_version + 1,
        next_seq: 2,
      });
      const counts = (table: string) =>
        db.raw.prepare(`SELECT coalesce(sum(live), 0) FROM ${table}`).pluck().get();
      expect(counts("message_bucket_counts")).toBe(0);
      const unread = db.raw
        .prepare("SELECT unread_count FROM conversation_members WHERE agent_id = 'agt_b'")
        .pluck()
        .get();
      expect(unread).toBe(0);
    } finally {
      db.close();
    }
  });

  it("uses buckets of the size the migration's triggers use", () => {
    const db = new SqliteDatabase(join(dir, "bucket.db"));
    try {
      const sql = db.raw
        .prepare("SELECT sql FROM sqlite_master WHERE name = 'messages_insert'")
        .get() as { sql: string };
      expect(sql.sql).toContain(`NEW.seq / ${COUNT_BUCKET}`);
    } finally {
      db.close();
    }
  });
});
