/**
 * What one PostgreSQL send costs the database, by batch size, with no HTTP server in the way:
 * `tsx src/pg-send-cost.ts [seconds] [batch sizes, e.g. 1,8,32] [rounds] [--conversations=N]
 *  [--before=<migration name>] [--functions] [--set=name=value]…`.
 * A fresh database is migrated from this worktree's sources and seeded with N conversations of
 * two members (default 1: every send in one conversation, as the HTTP benches do); one
 * connection then calls `fluxra_send_messages` back to back with batches of the given size for
 * `seconds` per round (batches spread round-robin over the conversations). Per batch size it
 * prints calls/s, the wall time of one call (round trip, the function, COMMIT and its WAL
 * flush), the backend's CPU µs per send (from /proc), and WAL records/bytes per send
 * (pg_stat_wal; the cluster-wide counter, so other databases' writes leak in on a shared
 * machine). `--before=<name>` adds a second database migrated only up to (not including) that
 * migration, driven in the same rounds (A B B A …), so a migration's effect is one same-run A/B;
 * `--a-migrations=<dir>` migrates that second database from another folder of migrations (e.g.
 * `apps/server/dist-A/migrations/postgres`, a build of other sources).
 * `--perf=<dir>` writes a `perf record` (cpu-clock, call graphs) of each backend's first round
 * per size to `<dir>/<variant>-<size>.data`.
 * `--functions` adds each plpgsql function's self time per send (track_functions = all; wall
 * time, the timing itself costs a little). `--set` sets a setting for the measuring sessions.
 * First it prints the wall time of a one-row insert committed alone: a commit's WAL flush plus a
 * round trip, the floor of any durable write's latency here.
 */
import { spawn } from "node:child_process";
import { findMigrations } from "../../apps/server/src/storage/migrations.js";
import { createPostgresStore } from "../../apps/server/src/storage/postgres/index.js";
import { cpuSeconds, median } from "./cpu.js";
import { adminUrl, psql } from "./postgres.js";

const args = process.argv.slice(2);
const plain = args.filter((a) => !a.startsWith("--"));
const seconds = Number(plain[0] ?? 5);
const sizes = (plain[1] ?? "1,8,32").split(",").map(Number);
const rounds = Number(plain[2] ?? 1);
const option = (name: string) =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const conversations = Number(option("conversations") ?? 1);
const before = option("before");
/** `--a-migrations=<dir>`: variant A is migrated from this folder instead (e.g. a dist copy's). */
const aMigrations = option("a-migrations");
const functions = args.includes("--functions");
/** `--perf=<dir>`: `perf record` (cpu-clock) each backend during its first round of each size. */
const perfDir = option("perf");
const settings = args.filter((a) => a.startsWith("--set=")).map((a) => a.slice("--set=".length));

const admin = adminUrl();
const databases: string[] = [];
const id = (prefix: string, i: number) => `${prefix}_${String(i).padStart(26, "0")}`;
const SEND = `SELECT * FROM fluxra_send_messages($1::text[], $2::text[], $3::text[],
  $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[],
  $11::text[], $12, $13)`;

type Client = ReturnType<ReturnType<typeof createPostgresStore>["db"]["dedicatedClient"]>;
interface Variant {
  name: string;
  client: Client;
  pid: number;
}

async function variant(name: string, upTo: string | undefined, dir?: string): Promise<Variant> {
  const db = `fluxra_sendcost_${name.toLowerCase()}_${process.pid}_${Date.now().toString(36)}`;
  psql(admin, `CREATE DATABASE ${db}`);
  databases.push(db);
  const url = new URL(admin);
  url.pathname = `/${db}`;
  const all = dir === undefined ? findMigrations("postgres") : findMigrations("postgres", [dir]);
  const migrations = upTo === undefined ? all : all.filter((m) => m.name < upTo);
  const store = createPostgresStore(url.toString(), { maxConnections: 2, migrations });
  await store.ready();
  await store.db.tx(async (q) => {
    for (let c = 0; c < conversations; c++) {
      await q(
        `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at,
           created_at, updated_at) VALUES (@id, 'group', 't', @owner, 2, 0, 0, 0)`,
        { id: id("cnv", c), owner: id("agt", 0) },
      );
      for (const [a, role] of [
        [0, "owner"],
        [1, "member"],
      ] as const) {
        await q(
          `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
           VALUES (@c, @a, @role, 0)`,
          { c: id("cnv", c), a: id("agt", a), role },
        );
      }
    }
  });
  // A connection of its own, with the pool's settings (the bench has no `pg` of its own).
  const client = store.db.dedicatedClient();
  await client.connect();
  await store.close();
  if (functions) await client.query("SET track_functions = 'all'");
  for (const setting of settings) {
    const [key, value] = setting.split("=");
    await client.query(`SET ${key} = '${value}'`);
  }
  const [row] = (await client.query("SELECT pg_backend_pid() AS pid")).rows;
  return { name, client, pid: Number(row.pid) };
}

const wal = async (client: Client) =>
  (
    await client.query(
      "SELECT wal_records::float8 AS r, wal_bytes::float8 AS b, wal_fpi::float8 AS f FROM pg_stat_wal",
    )
  ).rows[0] as { r: number; b: number; f: number };

async function fnTimes(client: Client): Promise<Map<string, number>> {
  await client.query("SELECT pg_stat_clear_snapshot()");
  const rows = (
    await client.query(
      "SELECT funcname, self_time FROM pg_stat_user_functions WHERE funcname LIKE 'fluxra_%'",
    )
  ).rows as { funcname: string; self_time: number }[];
  return new Map(rows.map((r) => [r.funcname, r.self_time]));
}

let serial = 0;
interface Sample {
  cpuUs: number;
  msPerCall: number;
  walRecords: number;
  walBytes: number;
  functions: string;
}

async function drive(v: Variant, size: number, run: number, perf = false): Promise<Sample> {
  const recorder =
    perf && perfDir !== undefined
      ? spawn(
          "perf",
          [
            "record",
            "-q",
            "-e",
            "cpu-clock",
            "-F",
            "4000",
            "-g",
            "-p",
            String(v.pid),
            "-o",
            `${perfDir}/${v.name}-${size}.data`,
          ],
          { stdio: "ignore" },
        )
      : undefined;
  const cpu0 = cpuSeconds(v.pid);
  const wal0 = await wal(v.client);
  const fn0 = functions ? await fnTimes(v.client) : undefined;
  let calls = 0;
  const start = performance.now();
  const end = start + run * 1000;
  while (performance.now() < end) {
    const sends = Array.from({ length: size }, (_, k) => ({
      c: id("cnv", (calls * size + k) % conversations),
      m: id("msg", ++serial),
    }));
    // Sorted by conversation, as the batcher sends them.
    sends.sort((a, b) => (a.c < b.c ? -1 : a.c > b.c ? 1 : 0));
    const now = Date.now();
    await v.client.query({
      name: "send",
      text: SEND,
      values: [
        sends.map((s) => s.c),
        sends.map(() => id("agt", 1)),
        sends.map((s) => s.m),
        sends.map(() => "hello from the bench"),
        sends.map(() => "text/plain"),
        sends.map(() => null),
        sends.map(() => null),
        sends.map(() => now),
        sends.map((s) => `evt_${s.m}`),
        sends.map((s) => `{"id":"${s.m}","seq":`),
        sends.map(() => `,"content":"hello from the bench"}`),
        "fluxra_events_public",
        true,
      ],
    });
    calls++;
  }
  const wall = performance.now() - start;
  const n = calls * size;
  if (recorder) {
    recorder.kill("SIGINT");
    await new Promise((resolve) => recorder.once("exit", resolve));
  }
  const wal1 = await wal(v.client);
  let parts = "";
  if (fn0) {
    const fn1 = await fnTimes(v.client);
    parts = [...fn1]
      .map(([f, t]) => [f, ((t - (fn0.get(f) ?? 0)) * 1000) / n] as const)
      .filter(([, us]) => us > 0.5)
      .sort((a, b) => b[1] - a[1])
      .map(([f, us]) => `${f.replace("fluxra_", "")} ${Math.round(us)}`)
      .join(", ");
  }
  return {
    cpuUs: ((cpuSeconds(v.pid) - cpu0) * 1e6) / n,
    msPerCall: wall / calls,
    walRecords: (wal1.r - wal0.r) / n,
    walBytes: (wal1.b - wal0.b) / n,
    functions: parts,
  };
}

try {
  const variants = [await variant("B", undefined)];
  if (before !== undefined || aMigrations !== undefined) {
    variants.unshift(await variant("A", before, aMigrations));
  }
  const probe = variants[0] as Variant;
  {
    await probe.client.query("CREATE TABLE fsync_probe (x INTEGER)");
    const n = 500;
    const t = performance.now();
    for (let i = 0; i < n; i++) await probe.client.query("INSERT INTO fsync_probe VALUES (1)");
    const ms = (performance.now() - t) / n;
    console.log(`one-row durable commit: ${ms.toFixed(3)} ms wall per call`);
  }
  for (const size of sizes) {
    for (const v of variants) await drive(v, size, 1); // warm: plans, caches
    const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) {
        const s = await drive(v, size, seconds, r === 0);
        samples.get(v.name)?.push(s);
        const fn = s.functions ? ` | self µs/send: ${s.functions}` : "";
        console.log(
          `batch ${String(size).padStart(2)} ${v.name} #${r + 1}: ${s.msPerCall.toFixed(2)} ms/call, ` +
            `backend ${Math.round(s.cpuUs)} µs/send, WAL ${s.walRecords.toFixed(1)} records ` +
            `${Math.round(s.walBytes)} B per send${fn}`,
        );
      }
    }
    if (rounds > 1) {
      const line = variants
        .map((v) => {
          const xs = samples.get(v.name) ?? [];
          return `${v.name} ${Math.round(median(xs.map((s) => s.cpuUs)))} µs/send, ${median(xs.map((s) => s.msPerCall)).toFixed(2)} ms/call`;
        })
        .join(" | ");
      console.log(`batch ${size} median: ${line}`);
    }
  }
  for (const v of variants) await v.client.end();
} finally {
  for (const d of databases) psql(admin, `DROP DATABASE IF EXISTS ${d} WITH (FORCE)`);
}
