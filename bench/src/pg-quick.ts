/**
 * Quick A/B of the PostgreSQL backend (`tsx src/pg-quick.ts [rounds] [seconds] [--two]`): one
 * CLI on SQLite and one on PostgreSQL (a database of its own), seeded alike; send and list are
 * driven in alternating rounds (SQLite, PostgreSQL, SQLite, …) so machine noise hits both, and
 * req/s with CPU µs/req (server; PG: server + backends) are printed per round and as medians.
 * With `--two`, a second PostgreSQL instance joins and two ÷ one is measured in alternation too.
 * Needs the server bundle (`pnpm --filter @fluxra/server build`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drive } from "./load.js";
import { routes } from "./measure.js";
import { adminUrl, driveSplit, psql, startOnPostgres } from "./postgres.js";
import { seedAgent, seedConversation, sendMessages } from "./seed.js";
import { type RunningServer, startFluxra } from "./server-process.js";

const args = process.argv.slice(2);
const two = args.includes("--two");
const [rounds = 3, seconds = 5] = args.filter((a) => !a.startsWith("--")).map(Number);
const load = { connections: 10, durationSeconds: seconds, warmupSeconds: 1 };

const admin = adminUrl();
const database = `fluxra_quick_${process.pid}_${Date.now().toString(36)}`;
psql(admin, `CREATE DATABASE ${database}`);
const url = new URL(admin);
url.pathname = `/${database}`;
const dir = mkdtempSync(join(tmpdir(), "pg-quick-"));
const servers: RunningServer[] = [];

async function seed(base: string) {
  const alice = await seedAgent(base, "bench_alice");
  const bob = await seedAgent(base, "bench_bob");
  const conversation = await seedConversation(base, alice, "measured", [bob.id]);
  for (let i = 1; i < 20; i++) await seedConversation(base, alice, `other ${i}`, [bob.id]);
  await sendMessages(base, bob, conversation, 60);
  return routes(alice, conversation).filter((r) => r.floor);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const r0 = (x: number) => Math.round(x);

try {
  const lite = await startFluxra(join(dir, "bench.db"));
  servers.push(lite);
  const pg = await startOnPostgres(url.toString(), []);
  servers.push(pg);
  const liteRoutes = await seed(lite.url);
  const pgRoutes = await seed(pg.url);
  let pg2: RunningServer | undefined;
  if (two) {
    pg2 = await startOnPostgres(url.toString(), []);
    servers.push(pg2);
  }
  for (let i = 0; i < liteRoutes.length; i++) {
    const name = liteRoutes[i]?.name ?? "";
    const ratios: number[] = [];
    const scale: number[] = [];
    const cpu: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const l = await drive(lite.url, liteRoutes[i]!.call, load, false, lite.child.pid);
      const p = await driveSplit([pg], pgRoutes[i]!.call, load, admin, database);
      let line = `${name} round ${round + 1}: SQLite ${r0(l.rps)} (${r0(l.cpuUsPerRequest)} µs) PG ${r0(p.rps)} (${r0(p.cpuUsPerRequest)} + ${r0(p.pgCpuUsPerRequest)} µs) p50 ${p.p50Ms} ms → ${((100 * p.rps) / l.rps).toFixed(0)} %`;
      ratios.push(p.rps / l.rps);
      cpu.push(`${r0(p.cpuUsPerRequest)}+${r0(p.pgCpuUsPerRequest)}`);
      if (pg2) {
        const t = await driveSplit([pg, pg2], pgRoutes[i]!.call, load, admin, database);
        line += ` | two ${r0(t.rps)} (${r0(t.cpuUsPerRequest)} + ${r0(t.pgCpuUsPerRequest)} µs) → ${(t.rps / p.rps).toFixed(2)}×`;
        scale.push(t.rps / p.rps);
      }
      if (l.failures + p.failures > 0) line += ` FAILURES ${l.failures}/${p.failures}`;
      console.log(line);
    }
    console.log(
      `${name}: median PG ÷ SQLite ${(100 * median(ratios)).toFixed(0)} % (min ${(100 * Math.min(...ratios)).toFixed(0)}, max ${(100 * Math.max(...ratios)).toFixed(0)})` +
        (scale.length ? `, two ÷ one ${median(scale).toFixed(2)}×` : ""),
    );
  }
} finally {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
  psql(admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
}
