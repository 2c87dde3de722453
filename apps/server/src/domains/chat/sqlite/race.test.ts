import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteDatabase } from "../../../storage/sqlite/database.js";
import { createSqliteChatStore } from "./index.js";

const fixture = fileURLToPath(new URL("./race.fixture.ts", import.meta.url));

let dir: string;
let db: SqliteDatabase;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fluxra-chat-race-"));
  db = new SqliteDatabase(join(dir, "race.db"));
  const add = db.raw.prepare(
    "INSERT INTO agents (id, handle, display_name, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
  );
  for (const a of ["agt_a", "agt_b", "agt_c"]) add.run(a, a.slice(4).repeat(3), a);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts one child per task, releases them together, and collects every child's results. */
async function race(tasks: Record<string, unknown>[]): Promise<unknown[][]> {
  const children: ChildProcess[] = tasks.map((t) =>
    fork(fixture, [JSON.stringify({ db: join(dir, "race.db"), ...t })], {
      execArgv: ["--import", "tsx"],
    }),
  );
  const results = children.map(
    (child) =>
      new Promise<unknown[]>((resolve, reject) => {
        child.on("message", (m: unknown) => {
          if (m === "ready") return;
          const { results: r, error } = m as { results?: unknown[]; error?: string };
          if (error !== undefined) reject(new Error(error));
          else resolve(r ?? []);
        });
        child.on("error", reject);
      }),
  );
  await Promise.all(
    children.map((child) => new Promise<void>((ok) => child.once("message", () => ok()))),
  );
  for (const child of children) child.send("go");
  return Promise.all(results);
}

describe("chat store races across processes on one SQLite file", () => {
  it("30 concurrent direct opens in both orders make exactly one conversation", async () => {
    const tasks = Array.from({ length: 6 }, (_, i) => ({
      kind: "open",
      caller: i % 2 === 0 ? "agt_a" : "agt_b",
      other: i % 2 === 0 ? "agt_b" : "agt_a",
      count: 5,
      prefix: `cnv_${i}`,
    }));
    const all = (await race(tasks)).flat() as { id: string; created: boolean }[];
    expect(all).toHaveLength(30);
    expect(new Set(all.map((r) => r.id)).size).toBe(1);
    expect(all.filter((r) => r.created)).toHaveLength(1);
    const rows = db.raw.prepare("SELECT count(*) AS n FROM conversations").get() as { n: number };
    expect(rows.n).toBe(1);
    const members = db.raw.prepare("SELECT count(*) AS n FROM conversation_members").get() as {
      n: number;
    };
    expect(members.n).toBe(2);
  });

  it("the database itself refuses a second direct conversation for a pair", () => {
    const insert = db.raw.prepare(
      `INSERT INTO conversations (id, type, created_by, direct_low, direct_high, activity_at,
         created_at, updated_at) VALUES (?, 'direct', 'agt_a', 'agt_a', 'agt_b', 0, 0, 0)`,
    );
    insert.run("cnv_1");
    expect(() => insert.run("cnv_2")).toThrow(/UNIQUE constraint failed/);
  });

  it("concurrent senders get gap-free, unique seq values", async () => {
    const chat = createSqliteChatStore(db);
    const open = await chat.openDirect("agt_a", "agt_b", "cnv_x", 1);
    if (!open.ok) throw new Error("open failed");
    const tasks = Array.from({ length: 4 }, (_, i) => ({
      kind: "send",
      caller: i % 2 === 0 ? "agt_a" : "agt_b",
      conversation: "cnv_x",
      count: 25,
      prefix: `msg_${i}`,
    }));
    const seqs = (await race(tasks)).flat() as number[];
    expect(seqs).toHaveLength(100);
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it("a concurrent edit and delete of one message ends deleted", async () => {
    const chat = createSqliteChatStore(db);
    const open = await chat.openDirect("agt_a", "agt_b", "cnv_y", 1);
    if (!open.ok) throw new Error("open failed");
    const msg = {
      id: "msg_y",
      content: "hi",
      content_type: "text/plain" as const,
      reply_to_id: null,
      metadata: null,
    };
    await chat.sendMessage("agt_a", "cnv_y", msg, 2);
    const base = { caller: "agt_a", conversation: "cnv_y", message: "msg_y", prefix: "x" };
    const [edits, deletes] = await race([
      { ...base, kind: "edit", count: 20 },
      { ...base, kind: "delete", count: 1 },
    ]);
    expect(deletes).toEqual(["deleted"]);
    // Every edit either landed before the delete or was refused after it; none after succeeded.
    const firstRefused = (edits ?? []).indexOf("message_deleted");
    const tail = firstRefused === -1 ? [] : (edits ?? []).slice(firstRefused);
    expect(tail.every((e) => e === "message_deleted")).toBe(true);
    const row = db.raw.prepare("SELECT content, deleted_at FROM messages WHERE id = 'msg_y'").get();
    expect(row).toEqual({ content: null, deleted_at: expect.any(Number) });
  });
});
