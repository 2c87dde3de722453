/**
 * Instructions one PostgreSQL send costs the database backend, counted by valgrind, so two
 * schema versions compare exactly on a machine too busy for CPU-time A/Bs:
 * `tsx src/pg-send-instructions.ts <migrations dir A> <migrations dir B> [batch sizes] [calls]`
 * (a build's `apps/server/dist-A/migrations/postgres`, or `src` for this worktree's sources). Needs root (it runs PostgreSQL as the `postgres`
 * user), valgrind and PostgreSQL's binaries (`PG_BIN`, default /usr/lib/postgresql/15/bin).
 *
 * A throwaway cluster is made in a temp dir and started on a Unix socket; one database per
 * variant is migrated and seeded (one group conversation of two members, as the HTTP benches
 * send to). The cluster is stopped and each variant's backend is then run single-user
 * (`postgres --single`) under `valgrind --tool=cachegrind` on a script that prepares the
 * function call and executes it `calls` times per batch size (one transaction each, as the
 * server calls it), after as many warm-up calls. The user-space instructions of the measured
 * calls (a run with the warm-up alone subtracted) are divided by the sends. The kernel's part
 * (the WAL flush's fdatasync, the socket) is not counted: it is the same for both.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findMigrations } from "../../apps/server/src/storage/migrations.js";
import { createPostgresStore } from "../../apps/server/src/storage/postgres/index.js";

const [dirA, dirB, sizesArg = "1,4,8", callsArg = "40"] = process.argv.slice(2);
if (dirA === undefined || dirB === undefined) {
  throw new Error("usage: pg-send-instructions.ts <migrations A> <migrations B> [sizes] [calls]");
}
const sizes = sizesArg.split(",").map(Number);
const calls = Number(callsArg);
const bin = process.env["PG_BIN"] ?? "/usr/lib/postgresql/15/bin";
const root = mkdtempSync(join(tmpdir(), "pg-instr-"));
chmodSync(root, 0o777);
const data = join(root, "data");
const asPostgres = (args: string[], input?: string) =>
  spawnSync("runuser", ["-u", "postgres", "--", ...args], {
    input,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });

/**
 * CHECKED=1: call `fluxra_send_messages_checked` (the server's call: each send's session checked
 * first) with a live session of the sending agent, instead of the bare `fluxra_send_messages`.
 */
const checked = process.env["CHECKED"] === "1";
/**
 * CALLGRIND=1: run the backends under callgrind instead of cachegrind (the same instruction
 * counts, slower), so the kept files (KEEP=1) attribute them to functions with their callees
 * (`callgrind_annotate --inclusive=yes <file>`, or `callgrind_annotate` on the `-all` file).
 */
const callgrind = process.env["CALLGRIND"] === "1";
const SESSION_HASH = "bench_session_hash";
const id = (prefix: string, i: number) => `${prefix}_${String(i).padStart(26, "0")}`;
const variants = [
  { name: "A", dir: dirA },
  { name: "B", dir: dirB },
];

/** The script: PREPARE the call, then `count` calls of `size` sends each. */
function script(size: number, count: number, serial: { n: number }): string {
  const lines = [
    (checked
      ? `PREPARE s(text[], text[], text[], text[], text[], text[], text[], bigint[], text[], text[], text[], text[], bigint[]) AS
     SELECT count(*) FROM fluxra_send_messages_checked($12, $13, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'fluxra_events_public', true)`
      : `PREPARE s(text[], text[], text[], text[], text[], text[], text[], bigint[], text[], text[], text[]) AS
     SELECT count(*) FROM fluxra_send_messages($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'fluxra_events_public', true)`
    ).replace(/\n\s*/g, " "),
  ];
  const arr = (xs: (string | number | null)[]) =>
    `ARRAY[${xs.map((x) => (x === null ? "NULL" : typeof x === "number" ? x : `'${x}'`)).join(",")}]`;
  for (let c = 0; c < count; c++) {
    const ids = Array.from({ length: size }, () => id("msg", ++serial.n));
    const conv = ids.map(() => id("cnv", 0));
    lines.push(
      `EXECUTE s(${arr(conv)}, ${arr(ids.map(() => id("agt", 1)))}, ${arr(ids)}, ` +
        `${arr(ids.map(() => "hello from the bench"))}, ${arr(ids.map(() => "text/plain"))}, ` +
        `${arr(ids.map(() => null))}::text[], ${arr(ids.map(() => null))}::text[], ` +
        `${arr(ids.map(() => 1_700_000_000_000))}::bigint[], ${arr(ids.map((m) => `evt_${m}`))}, ` +
        `${arr(ids.map((m) => `{"id":"${m}","seq":`))}, ${arr(ids.map(() => `,"content":"x"}`))}` +
        (checked
          ? `, ${arr(ids.map(() => SESSION_HASH))}, ${arr(ids.map(() => 1_700_000_000_000))}::bigint[])`
          : ")"),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** User-space instructions of one single-user backend running `sql` on `database`. */
function instructions(database: string, sql: string, tag: string): number {
  const file = join(root, `${tag}.sql`);
  writeFileSync(file, sql);
  const r = asPostgres(
    [
      "valgrind",
      ...(callgrind
        ? ["--tool=callgrind", `--callgrind-out-file=${join(root, `${tag}.cg`)}`]
        : [
            "--tool=cachegrind",
            "--cache-sim=no",
            "--branch-sim=no",
            `--cachegrind-out-file=${join(root, `${tag}.cg`)}`,
          ]),
      join(bin, "postgres"),
      "--single",
      "-D",
      data,
      database,
    ],
    sql,
  );
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
  if (!m || r.stdout.includes("ERROR")) {
    throw new Error(`${tag}: ${r.stdout.slice(-2000)} ${r.stderr.slice(-2000)}`);
  }
  return Number((m[1] as string).replaceAll(",", ""));
}

try {
  const init = asPostgres([join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres"]);
  if (init.status !== 0) throw new Error(init.stderr);
  const start = asPostgres([
    join(bin, "pg_ctl"),
    "-D",
    data,
    "-w",
    "-l",
    join(root, "log"),
    "-o",
    `-c listen_addresses='' -k ${root}`,
    "start",
  ]);
  if (start.status !== 0) throw new Error(start.stderr);
  try {
    for (const v of variants) {
      const name = `variant_${v.name.toLowerCase()}`;
      execFileSync("psql", [
        "-h",
        root,
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-qc",
        `CREATE DATABASE ${name}`,
      ]);
      const url = `postgres://postgres@/${name}?host=${encodeURIComponent(root)}`;
      const store = createPostgresStore(url, {
        maxConnections: 1,
        migrations:
          v.dir === "src" ? findMigrations("postgres") : findMigrations("postgres", [v.dir]),
      });
      await store.ready();
      await store.db.query(
        `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at,
           created_at, updated_at) VALUES ($1, 'group', 't', $2, 2, 0, 0, 0)`,
        [id("cnv", 0), id("agt", 0)],
      );
      await store.db.query(
        `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
         VALUES ($1, $2, 'owner', 0), ($1, $3, 'member', 0)`,
        [id("cnv", 0), id("agt", 0), id("agt", 1)],
      );
      // The sending agent's live session, for CHECKED=1 (its agent and api key rows are left out:
      // replica mode skips the foreign keys, as the other rows here do without them).
      await store.db.pool.query(
        `SET session_replication_role = replica;
         INSERT INTO sessions (id_hash, id, agent_id, api_key_id, created_at, expires_at)
           VALUES ('${SESSION_HASH}', 'ses_bench', '${id("agt", 1)}', 'key_bench', 0, 9e15);
         RESET session_replication_role;`,
      );
      await store.close();
    }
  } finally {
    asPostgres([join(bin, "pg_ctl"), "-D", data, "-w", "stop"]);
  }
  for (const size of sizes) {
    const line: string[] = [];
    for (const v of variants) {
      const database = `variant_${v.name.toLowerCase()}`;
      // Distinct ids per run: each run commits its sends.
      const serial = { n: size * 1_000_000 + (v.name === "A" ? 0 : 500_000) };
      const warm = instructions(database, script(size, calls, serial), `${v.name}-${size}-warm`);
      const both = instructions(database, script(size, 2 * calls, serial), `${v.name}-${size}-all`);
      // The second run's first `calls` calls stand in for the warm-up run.
      const perSend = (both - warm) / (calls * size);
      line.push(`${v.name} ${(perSend / 1000).toFixed(0)} k instructions/send`);
    }
    console.log(`batch ${size}: ${line.join(" | ")}`);
  }
} finally {
  // KEEP=1 keeps the cachegrind files (`<variant>-<size>-warm|all.cg`, for cg_diff/cg_annotate).
  if (process.env["KEEP"]) console.log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
