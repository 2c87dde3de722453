/**
 * Quick A/B of the PostgreSQL backend, for iterating on it:
 * `tsx src/pg-quick.ts [rounds] [seconds] [--two] [--base=<path to another fluxra-server.js>]…`.
 * One CLI on SQLite and one on PostgreSQL (a database of its own), seeded alike; send and list are
 * driven in alternating rounds (SQLite, PostgreSQL, …) so machine noise hits both, and req/s
 * with CPU µs/req (server; PG: server + backends) are printed per round and as medians. `--base`
 * adds a PostgreSQL CLI built from other sources (e.g. the previous commit) on a database of its
 * own, driven in the same rounds. `--two`: a second PostgreSQL instance joins the first, and
 * two ÷ one (the same 10 connections split across both) is measured in the same rounds.
 * `--socket=/var/run/postgresql`: every CLI connects over the Unix socket instead of TCP.
 * `--connections=N`: N connections instead of 10 (1 shows the lone request's latency).
 * `--only=send` or `--only=list`: measure that route alone. Send rounds also print the batches
 * group commit reached (messages of the round per writing transaction, warm-up included).
 * Needs the server bundle (`pnpm --filter @fluxra/server build`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "./cpu.js";
import { drive } from "./load.js";
import { type Route, routes } from "./measure.js";
import { adminUrl, driveSplit, PG_POOL_SIZE, psql } from "./postgres.js";
import { seedAgent, seedConversation, sendMessages } from "./seed.js";
import { type RunningServer, serverBin, startFluxra, startProcess } from "./server-process.js";

const args = process.argv.slice(2);
const two = args.includes("--two");
/** `--base=<bin>` (repeatable): more PostgreSQL builds driven in the same rounds. */
const bases = args.filter((a) => a.startsWith("--base=")).map((a) => a.slice("--base=".length));
/** `--socket=<dir>`: the CLIs (not psql) connect over PostgreSQL's Unix socket in `dir`. */
const socket = args.find((a) => a.startsWith("--socket="))?.slice("--socket=".length);
const only = args.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const [rounds = 3, seconds = 5] = args.filter((a) => !a.startsWith("--")).map(Number);
const connections = Number(
  args.find((a) => a.startsWith("--connections="))?.slice("--connections=".length) ?? 10,
);
const load = { connections, durationSeconds: seconds, warmupSeconds: 1 };
const admin = adminUrl();
const dir = mkdtempSync(join(tmpdir(), "pg-quick-"));
const servers: RunningServer[] = [];
const databases: string[] = [];

function database(tag: string): { name: string; url: string } {
  const name = `fluxra_quick_${tag}_${process.pid}_${Date.now().toString(36)}`;
  psql(admin, `CREATE DATABASE ${name}`);
  databases.push(name);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  if (socket) url.searchParams.set("host", socket);
  return { name, url: url.toString() };
}

async function startPg(bin: string, url: string): Promise<RunningServer> {
  const s = await startProcess({
    args: [bin, "--port", "0", "--db", url, "--token-ttl", "3600"],
    env: { FLUXRA_RATE_LIMITS: "off", FLUXRA_PG_POOL_SIZE: String(PG_POOL_SIZE) },
  });
  servers.push(s);
  return s;
}

async function seed(baseUrl: string): Promise<Route[]> {
  const alice = await seedAgent(baseUrl, "bench_alice");
  const bob = await seedAgent(baseUrl, "bench_bob");
  const conversation = await seedConversation(baseUrl, alice, "measured", [bob.id]);
  for (let i = 1; i < 20; i++) await seedConversation(baseUrl, alice, `other ${i}`, [bob.id]);
  await sendMessages(baseUrl, bob, conversation, 60);
  return routes(alice, conversation).filter((r) => r.floor);
}

const r0 = (x: number) => Math.round(x);

/** Messages written since `since` per transaction that wrote them: the batches group commit reached. */
function sendsPerCommit(database: string, since: number): string {
  const url = new URL(admin);
  url.pathname = `/${database}`;
  return psql(
    url.toString(),
    `SELECT round(count(*)::numeric / greatest(count(DISTINCT xmin::text), 1), 1) FROM messages
     WHERE created_at >= ${since}`,
  );
}
const pct = (x: number) => `${(100 * x).toFixed(0)} %`;

interface PgVariant {
  name: string;
  servers: RunningServer[];
  database: string;
  routes: Route[];
}

try {
  const lite = await startFluxra(join(dir, "bench.db"));
  servers.push(lite);
  const liteRoutes = await seed(lite.url);
  const variants: PgVariant[] = [];
  const now = database("new");
  const one = await startPg(serverBin, now.url);
  variants.push({ name: "PG", servers: [one], database: now.name, routes: await seed(one.url) });
  if (two) {
    const second = await startPg(serverBin, now.url);
    variants.push({ name: "PG×2", servers: [one, second], database: now.name, routes: [] });
  }
  for (const [i, base] of bases.entries()) {
    const old = database(`base${i}`);
    const s = await startPg(base, old.url);
    const name = bases.length === 1 ? "PG base" : `PG base${i + 1}`;
    variants.push({ name, servers: [s], database: old.name, routes: await seed(s.url) });
  }
  for (const v of variants) if (v.routes.length === 0) v.routes = variants[0]?.routes ?? [];

  for (let i = 0; i < liteRoutes.length; i++) {
    const name = liteRoutes[i]?.name ?? "";
    if (only !== undefined && !name.startsWith(only === "send" ? "POST" : "GET")) continue;
    const ratios = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      const l = await drive(lite.url, (liteRoutes[i] as Route).call, load, false, lite.child.pid);
      let line = `${name} #${round + 1}: SQLite ${r0(l.rps)} (${r0(l.cpuUsPerRequest)} µs)`;
      let single = 0;
      for (const v of variants) {
        const call = (v.routes[i] as Route).call;
        const since = Date.now();
        const p = await driveSplit(v.servers, call, load, admin, v.database);
        if (v.name === "PG") single = p.rps;
        const ratio = v.name === "PG×2" ? p.rps / single : p.rps / l.rps;
        line += ` | ${v.name} ${r0(p.rps)} (${r0(p.cpuUsPerRequest)} + ${r0(p.pgCpuUsPerRequest)} µs, p50 ${p.p50Ms} p99 ${p.p99Ms} ms) ${v.name === "PG×2" ? `${ratio.toFixed(2)}×` : pct(ratio)}`;
        if (name.startsWith("POST")) line += `, ${sendsPerCommit(v.database, since)} sends/commit`;
        if (p.failures > 0) line += ` FAILURES ${p.failures}`;
        ratios.set(v.name, [...(ratios.get(v.name) ?? []), ratio]);
      }
      console.log(line);
    }
    const summary = [...ratios].map(([v, xs]) => {
      const m = median(xs);
      const shown = v === "PG×2" ? `${m.toFixed(2)}×` : pct(m);
      const range = v === "PG×2" ? "" : ` (${pct(Math.min(...xs))}–${pct(Math.max(...xs))})`;
      return `${v} ${shown}${range}`;
    });
    console.log(`${name}: median ${summary.join(", ")}`);
  }
} finally {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
  for (const d of databases) psql(admin, `DROP DATABASE IF EXISTS ${d} WITH (FORCE)`);
}
