/**
 * Instructions per message send of the SQL alone (the INSERT into `messages` with its triggers,
 * and the event row), in bursts of 8 per transaction, for the schemas of two built servers:
 * counted by valgrind (cachegrind, no cache simulation), so the shared machine's load does not
 * move it. The JavaScript is the same for both (plain better-sqlite3 statements), the checkpoint
 * worker does not run (no timers), and the difference of a `small` and a `large` run leaves
 * start-up out: what differs is the SQLite work of the two schemas' triggers.
 *
 *   tsx src/store-sql-instructions.ts <dist A> <dist B> [small] [large]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const [distA, distB, small = "2000", large = "10000"] = process.argv.slice(2);
if (!distA || !distB) throw new Error("usage: store-sql-instructions.ts <dist A> <dist B> …");
const dir = mkdtempSync(join(tmpdir(), "fluxra-sql-instr-"));

/** Migrates a fresh database with a build's own store, then closes it (not counted). */
const prepare = `
const [dist, db] = process.argv.slice(1);
const { createSqliteStore } = await import(dist);
const store = createSqliteStore(db);
const me = "agt_" + "0".repeat(26), other = "agt_" + "1".padStart(26, "0"), conv = "cnv_" + "0".repeat(26);
store.db.write(() => {
  store.db.stmt("INSERT INTO conversations (id, type, title, created_by, member_count, activity_at, created_at, updated_at) VALUES (?, 'group', 't', ?, 2, 0, 0, 0)").run(conv, me);
  store.db.stmt("INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at) VALUES (?, ?, 'owner', 0), (?, ?, 'member', 0)").run(conv, me, conv, other);
});
await store.close();
`;

/** The counted run: plain statements, as the store's send runs them. */
const run = `
const [driver, db, count] = process.argv.slice(1);
const Database = (await import(driver)).default;
const h = new Database(db);
h.pragma("journal_mode = WAL"); h.pragma("synchronous = NORMAL"); h.pragma("foreign_keys = ON");
h.pragma("wal_autocheckpoint = 0");
const me = "agt_" + "0".repeat(26), conv = "cnv_" + "0".repeat(26);
const insert = h.prepare("INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type, reply_to_id, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
const event = h.prepare("INSERT INTO events (id, type, conversation_id, created_at, recipients, data) VALUES (?, ?, ?, ?, ?, ?)");
const batch = h.transaction((from) => {
  for (let s = from; s < from + 8; s++) {
    insert.run("msg_" + String(s).padStart(26, "0"), conv, s, me, "benchmark message", "text/plain", null, null, 1000 + s);
    event.run("evt_" + String(s).padStart(26, "0"), "message.created", conv, 1000 + s, " agt_x ", "{}");
  }
});
const n = Number(count);
for (let s = 1; s <= n; s += 8) batch.immediate(s);
h.close();
`;

function node(args: string[], valgrindOut?: string): Promise<void> {
  const cmd = valgrindOut === undefined ? process.execPath : "valgrind";
  const all =
    valgrindOut === undefined
      ? args
      : [
          "--tool=cachegrind",
          "--cache-sim=no",
          "--branch-sim=no",
          `--cachegrind-out-file=${valgrindOut}`,
          process.execPath,
          ...args,
        ];
  const p = spawn(cmd, all, { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  p.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((ok, fail) =>
    p.once("exit", (code) => (code === 0 ? ok() : fail(new Error(err.slice(-2000))))),
  );
}

const driver = join(
  resolve(distA),
  "..",
  "..",
  "..",
  "node_modules",
  "better-sqlite3",
  "lib",
  "index.js",
);
async function counted(dist: string, count: number, tag: string): Promise<number> {
  const db = join(dir, `${tag}.db`);
  await node(["--input-type=module", "-e", prepare, join(resolve(dist), "index.js"), db]);
  const out = join(dir, `${tag}.cg`);
  await node(["--input-type=module", "-e", run, driver, db, String(count)], out);
  const summary = /^summary: (\d+)/m.exec(readFileSync(out, "utf8"));
  if (!summary) throw new Error(`no cachegrind summary in ${out}`);
  for (const f of [db, `${db}-wal`, `${db}-shm`, out]) rmSync(f, { force: true });
  return Number(summary[1]);
}

const n = [Number(small), Number(large)] as const;
const result: Record<string, number> = {};
for (const [name, dist] of [
  ["A", distA],
  ["B", distB],
] as const) {
  const few = await counted(dist, n[0], `${name}s`);
  const many = await counted(dist, n[1], `${name}l`);
  result[name] = (many - few) / (n[1] - n[0]);
  console.log(`${name}: ${Math.round(result[name] as number)} instructions/send`);
}
console.log(`B/A ${((result["B"] as number) / (result["A"] as number)).toFixed(3)}`);
rmSync(dir, { recursive: true, force: true });
