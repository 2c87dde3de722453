/**
 * `pnpm bench:events`: the Events (preview) bench, one run, numbers to compare as ratios.
 * 1. Store floor (in-process SQLite): the send path's fan-out cost, per-recipient rows (chosen)
 *    vs one row per conversation event, on 2- and 100-member groups.
 * 2. Server (the real CLI on SQLite, loopback HTTP): send → event delivery to a held long-poll
 *    and to an SSE stream (p50/p99), send throughput with 0 vs 1,000 idle streams held, the RSS
 *    and idle CPU of those 1,000 streams, and a 100-member fan-out (until all 100 streams have it).
 * 3. Two CLI instances on one PostgreSQL database: send through 1 → SSE stream held on 2.
 * `--quick` shrinks every count. Writes results/events.{md,json}.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  fanOut,
  holdStreams,
  longPollLatency,
  sendRate,
  sseLatency,
} from "./src/events/delivery.js";
import { measureFanoutCost } from "./src/events/fanout-cost.js";
import { type SeededAgent, seedAgent, seedConversation } from "./src/seed.js";
import { repoRoot, startProcess } from "./src/server-process.js";

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
const quick = values.quick;
const n = {
  cost: quick ? 100 : 1000,
  rounds: quick ? 20 : 200,
  streams: quick ? 100 : 1000,
  rate: quick ? 2 : 5,
  fan: quick ? 3 : 10,
};
const serverDir = join(repoRoot, "apps", "server");
const start = (db: string) =>
  startProcess({
    args: ["--import", "tsx", "src/cli.ts", "--port", "0", "--db", db],
    cwd: serverDir,
    env: { FLUXRA_RATE_LIMITS: "off", FLUXRA_PG_POOL_SIZE: "5" },
    timeoutSeconds: 120,
  });
const results: Record<string, unknown> = {
  generatedAt: new Date().toISOString(),
  quick,
  loadAverageStart: os.loadavg(),
};

console.log("store floor: fan-out cost per send (µs)");
results["fanoutCost"] = await measureFanoutCost(n.cost);
console.table(results["fanoutCost"]);

const dir = mkdtempSync(join(os.tmpdir(), "fluxra-events-bench-"));
const server = await start(join(dir, "events.db"));
server.child.stderr?.on("data", (d: Buffer) => process.stderr.write(`[server] ${d}`));
try {
  const base = server.url;
  const handle = (s: string) => `ev${process.pid % 10000}${s}`;
  const alice = await seedAgent(base, handle("alice"));
  const bob = await seedAgent(base, handle("bob"));
  const pair = await seedConversation(base, alice, "pair", [bob.id]);
  results["sqliteSse"] = await sseLatency(base, base, alice, bob, pair, n.rounds);
  results["sqliteLongPoll"] = await longPollLatency(base, alice, bob, pair, n.rounds);
  console.log("sqlite delivery", results["sqliteSse"], results["sqliteLongPoll"]);

  const idle: SeededAgent[] = [];
  for (let i = 0; i < 10; i++) idle.push(await seedAgent(base, handle(`idle${i}`)));
  const rate0 = await sendRate(base, alice, pair, n.rate);
  const held = await holdStreams(base, server.child.pid, idle, n.streams, n.rate);
  const rate1 = await sendRate(base, alice, pair, n.rate);
  held.close();
  results["throughput"] = {
    idle0: rate0,
    idleHeld: rate1,
    ratio: rate1 / rate0,
    streams: n.streams,
  };
  results["heldStreams"] = {
    streams: n.streams,
    extraRssMb: held.rssHeldMb - held.rssBeforeMb,
    idleCpuPct: held.idleCpuPct,
  };
  console.log("throughput", results["throughput"], "held", results["heldStreams"]);

  const members: SeededAgent[] = [];
  for (let i = 0; i < 99; i++) members.push(await seedAgent(base, handle(`m${i}`)));
  const group = await seedConversation(
    base,
    alice,
    "hundred",
    members.map((m) => m.id),
  );
  results["fanOut100"] = await fanOut(base, alice, [alice, ...members], group, n.fan);
  console.log("fan-out to 100 streams", results["fanOut100"]);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

const database = `fluxra_bench_events_${process.pid}`;
const pgUrl = process.env["FLUXRA_BENCH_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";
try {
  execFileSync("psql", [pgUrl, "-X", "-q", "-c", `CREATE DATABASE ${database}`]);
  const url = new URL(pgUrl);
  url.pathname = `/${database}`;
  const one = await start(url.toString());
  const two = await start(url.toString());
  try {
    const a = await seedAgent(one.url, "pg_alice");
    const b = await seedAgent(one.url, "pg_bob");
    const conv = await seedConversation(one.url, a, "pg", [b.id]);
    results["postgresTwoInstanceSse"] = await sseLatency(one.url, two.url, a, b, conv, n.rounds);
    results["postgresSameInstanceSse"] = await sseLatency(one.url, one.url, a, b, conv, n.rounds);
    console.log("postgres", results["postgresTwoInstanceSse"], results["postgresSameInstanceSse"]);
  } finally {
    await one.stop();
    await two.stop();
  }
} catch (err) {
  results["postgresError"] = String(err);
  console.error(err);
} finally {
  execFileSync("psql", [pgUrl, "-X", "-q", "-c", `DROP DATABASE IF EXISTS ${database}`]);
}
results["loadAverageEnd"] = os.loadavg();
const outDir = join(repoRoot, "bench", "results");
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, quick ? "events-quick.json" : "events.json"),
  `${JSON.stringify(results, null, 2)}\n`,
);
console.log(JSON.stringify(results, null, 2));
