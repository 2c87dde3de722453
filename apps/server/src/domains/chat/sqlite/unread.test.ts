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
  | { kind: "read"; reader: number; at: number };

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
);

describe("bucketed unread counts", () => {
  it("equal the plain count for any mix of sends, deletes, blocks and read markers, in views and lists", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 10 }), async (commands) => {
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
                "SELECT last_read_seq FROM conversation_members WHERE conversation_id = 'cnv_g' AND agent_id = ?",
              )
              .get(caller) as { last_read_seq: number };
            const expected = db.raw
              .prepare(ORACLE)
              .get({ id: "cnv_g", seq: marker.last_read_seq, caller }) as { n: number };
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
    } finally {
      db.close();
    }
  });

  it("uses buckets of the size the migration's triggers use", () => {
    const db = new SqliteDatabase(join(dir, "bucket.db"));
    try {
      const sql = db.raw
        .prepare("SELECT sql FROM sqlite_master WHERE name = 'messages_count_insert'")
        .get() as { sql: string };
      expect(sql.sql).toContain(`NEW.seq / ${COUNT_BUCKET}`);
    } finally {
      db.close();
    }
  });
});
