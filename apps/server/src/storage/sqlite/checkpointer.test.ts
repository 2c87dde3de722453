import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CHECKPOINT_COMMITS,
  type CheckpointResult,
  onCheckpoint,
  requestCheckpoint,
  SAFETY_NET_PAGES,
} from "./checkpointer.js";
import { SqliteDatabase } from "./database.js";

let dir: string;
let path: string;
let db: SqliteDatabase;
const results: CheckpointResult[] = [];
let stopListening: () => void;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fluxra-ckpt-"));
  path = join(dir, "ckpt.db");
  db = new SqliteDatabase(path);
  db.raw.exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, v TEXT NOT NULL) STRICT");
  results.length = 0;
  stopListening = onCheckpoint((r) => {
    if (r.path === path) results.push(r);
  });
});

afterEach(() => {
  stopListening();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const walBytes = () => statSync(`${path}-wal`).size;
/** `n` commits of one ~3 KB row each: about one WAL page (plus the b-tree's) per commit. */
const commits = (n: number) => {
  for (let i = 0; i < n; i++) {
    db.write(() => db.stmt("INSERT INTO filler (v) VALUES (?)").run("x".repeat(3000)));
  }
};
const until = async (done: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("WAL checkpoints run on a worker thread, not inside a commit", () => {
  it("sets the automatic checkpoint to the far safety net only", () => {
    expect(db.raw.pragma("wal_autocheckpoint", { simple: true })).toBe(SAFETY_NET_PAGES);
  });

  it("lets the WAL pass 1,000 pages without a commit copying it, then the worker copies it all", async () => {
    commits(1500); // synchronous: the worker cannot run in between
    // SQLite's default would have checkpointed inside the commit that reached 1,000 pages and
    // restarted the WAL; here every frame is still in it.
    expect(walBytes()).toBeGreaterThan(1500 * 4096);
    await until(() => results.some((r) => (r.copied ?? 0) > 0));
    const done = results.find((r) => (r.copied ?? 0) > 0) as CheckpointResult;
    expect(done.error).toBeUndefined();
    expect(done.copied).toBe(done.frames);
    expect(done.frames).toBeGreaterThan(1500);
  });

  it("keeps the WAL file from growing: after a checkpoint the next commits reuse it", async () => {
    const complete = () => results.filter((r) => (r.copied ?? 0) > 0 && r.copied === r.frames);
    commits(1500);
    await until(() => complete().length > 0);
    const size = walBytes();
    for (let round = 0; round < 3; round++) {
      const before = complete().length;
      commits(1100);
      await until(() => complete().length > before);
    }
    // 3,300 more commits, each round checkpointed before the next: the file did not grow.
    expect(walBytes()).toBeLessThanOrEqual(size);
    expect(db.raw.prepare("SELECT count(*) FROM filler").pluck().get()).toBe(4800);
  });

  it("leaves fewer than 1,000 waiting frames alone: the next commit appends to the WAL instead of restarting it", async () => {
    // A restart syncs the new WAL header inside the commit that makes it, on the event loop: a
    // checkpoint of every few commits made one send in ~6 of an idle client pay an fsync.
    commits(50);
    await until(() => results.length > 0);
    // 50 commits, plus the migrations' own when the file was created.
    expect(results[0]).toMatchObject({ skipped: true });
    expect(results[0]?.commits).toBeGreaterThanOrEqual(50);
    expect(results[0]?.commits).toBeLessThan(CHECKPOINT_COMMITS);
    commits(1);
    // Every frame is still in the WAL (a restart would have left only the last commit's).
    const [wal] = db.raw.pragma("wal_checkpoint(PASSIVE)") as { log: number }[];
    expect(wal?.log).toBeGreaterThan(50);
  });

  it("checkpoints after few commits when they grew the WAL by 1,000 frames (bulk writes)", async () => {
    for (let i = 0; i < 5; i++) {
      db.write(() => {
        for (let r = 0; r < 300; r++)
          db.stmt("INSERT INTO filler (v) VALUES (?)").run("x".repeat(3000));
      });
    }
    expect(5).toBeLessThan(CHECKPOINT_COMMITS);
    await until(() => results.length > 0);
    expect(results[0]?.skipped).toBeUndefined();
    expect(results[0]?.copied).toBeGreaterThan(1000);
  });

  it("never drops this process's SQLite locks: another process still cannot write while this one holds the write lock", async () => {
    // SQLite's locks are POSIX advisory locks: closing any descriptor of the -shm file in this
    // process releases them all. The worker once read the -shm header with open/close, and
    // another process then began writing while this one was mid-transaction (duplicate seqs).
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const probe = () =>
      String(
        execFileSync(process.execPath, [
          "-e",
          `const D = require(${JSON.stringify(driver)}); const d = new D(${JSON.stringify(path)});
           d.pragma("busy_timeout = 0");
           try { d.exec("BEGIN IMMEDIATE"); console.log("acquired"); d.exec("ROLLBACK"); }
           catch (e) { console.log(e.code); } finally { d.close(); }`,
        ]),
      ).trim();
    commits(20);
    db.raw.exec("BEGIN IMMEDIATE");
    db.raw.prepare("INSERT INTO filler (v) VALUES ('held')").run();
    try {
      expect(probe()).toBe("SQLITE_BUSY");
      const answered = results.length;
      expect(requestCheckpoint(path)).toBe(true);
      await until(() => results.length > answered);
      expect(probe()).toBe("SQLITE_BUSY");
    } finally {
      db.raw.exec("COMMIT");
    }
    expect(probe()).toBe("acquired");
  });

  it("asks at most once per delay, however many commits", async () => {
    commits(200);
    await until(() => results.length > 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(results.length).toBe(1);
  });
});

describe("the checkpoint worker", () => {
  it("does not keep a process alive: a script that wrote and closed its database exits", async () => {
    const script = join(dir, "exits.mts");
    const database = fileURLToPath(new URL("./database.ts", import.meta.url));
    writeFileSync(
      script,
      `import { SqliteDatabase } from ${JSON.stringify(database)};
       const db = new SqliteDatabase(${JSON.stringify(join(dir, "exits.db"))});
       db.raw.exec("CREATE TABLE f (v)");
       for (let i = 0; i < 10; i++) db.write(() => db.stmt("INSERT INTO f VALUES (1)").run());
       await new Promise((r) => setTimeout(r, 300)); // the worker has run by now
       db.close();`,
    );
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = execFile(process.execPath, ["--import", "tsx", script], { timeout: 20_000 });
      child.on("exit", (c) => resolve(c));
    });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("keeps a process alive while it awaits a checkpoint in flight: a script's last `await closed()` settles", async () => {
    // A script whose only pending work is closing its store: the worker is unref'd, so without a
    // ref while someone waits, Node ends the process with the await unsettled (exit code 13).
    const script = join(dir, "awaits.mts");
    const database = fileURLToPath(new URL("./database.ts", import.meta.url));
    const checkpointer = fileURLToPath(new URL("./checkpointer.ts", import.meta.url));
    const path = join(dir, "awaits.db");
    writeFileSync(
      script,
      `import { SqliteDatabase } from ${JSON.stringify(database)};
       import { requestCheckpoint } from ${JSON.stringify(checkpointer)};
       const db = new SqliteDatabase(${JSON.stringify(path)});
       db.raw.exec("CREATE TABLE f (v)");
       for (let i = 0; i < 200; i++) db.write(() => db.stmt("INSERT INTO f VALUES (randomblob(4000))").run());
       if (!requestCheckpoint(${JSON.stringify(path)})) throw new Error("no worker");
       db.close();
       await db.closed();
       console.log("settled");`,
    );
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>(
      (resolve) => {
        let out = "";
        const child = execFile(process.execPath, ["--import", "tsx", script], { timeout: 20_000 });
        child.stdout?.on("data", (d) => {
          out += String(d);
        });
        child.on("exit", (c) => resolve({ code: c, stdout: out }));
      },
    );
    expect({ code, stdout: stdout.trim() }).toEqual({ code: 0, stdout: "settled" });
  });
});
