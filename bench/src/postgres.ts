/**
 * The PostgreSQL part of `pnpm bench`: message send and list on the real CLI running on
 * PostgreSQL (same routes, seed and load as the SQLite rows), reported ÷ SQLite from the same run,
 * and two CLI instances on one database ÷ one instance with the same total load split across them.
 * Each run gets its own database (created here, dropped at the end), so parallel runs on one
 * PostgreSQL server do not collide.
 */
import { execFileSync } from "node:child_process";
import autocannon from "autocannon";
import { cpuSeconds } from "./cpu.js";
import {
  type Call,
  drive,
  inRounds,
  type LoadResult,
  type LoadSettings,
  sumRounds,
} from "./load.js";
import { type Route, routes } from "./measure.js";
import { seedAgent, seedConversation, sendMessages } from "./seed.js";
import { type RunningServer, serverBin, startProcess } from "./server-process.js";
import type { Profile } from "./settings.js";

/** The connection pool each instance opens (the CLI's `FLUXRA_PG_POOL_SIZE`, its default). */
export const PG_POOL_SIZE = 10;

/** One load run spread over one or more instances, with server and PostgreSQL CPU. */
export interface SplitLoadResult extends LoadResult {
  /** CPU (user + system) of the PostgreSQL backends serving this database, µs per request. */
  pgCpuUsPerRequest: number;
  /** Instances the load was split across. */
  instances: number;
}

/** One route on PostgreSQL, beside the same route on SQLite in the same run. */
export interface PostgresRow {
  route: string;
  sqlite: LoadResult;
  /** One instance. */
  postgres: SplitLoadResult;
  /** postgres req/s ÷ sqlite req/s. */
  ratio: number;
  /** Two instances on the same database, the same connections split across them. */
  twoInstances: SplitLoadResult;
  /** two instances req/s ÷ one instance req/s. */
  scaleOut: number;
}

/** The PostgreSQL section of the results. */
export interface PostgresResults {
  /** PostgreSQL server version, e.g. "16.4". */
  version: string;
  poolSize: number;
  rows: PostgresRow[];
  /** Set instead of rows when PostgreSQL was unreachable or a run failed. */
  error?: string;
}

export const adminUrl = () =>
  process.env["FLUXRA_BENCH_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

export function psql(url: string, sql: string): string {
  return execFileSync("psql", [url, "-X", "-q", "-A", "-t", "-c", sql], {
    encoding: "utf8",
  }).trim();
}

export function startOnPostgres(url: string, nodeFlags: string[]): Promise<RunningServer> {
  return startProcess({
    args: [serverBin, "--port", "0", "--db", url, "--token-ttl", "3600"],
    env: { FLUXRA_RATE_LIMITS: "off", FLUXRA_PG_POOL_SIZE: String(PG_POOL_SIZE) },
    nodeFlags,
  });
}

/**
 * Drives `call` on every server at once, `settings.connections` split evenly between them (the
 * same total load as one server gets), and sums requests and CPU: the servers' own, and the
 * PostgreSQL backends of `database` (read from pg_stat_activity after the warm-up, when the
 * pools are open, and again at the end). Backend CPU is summed per process: a backend started
 * during the round counts whole, one that ended during it (a pool closing an idle connection)
 * counts nothing (its last ticks cannot be read once it is gone), so the figure can only
 * undercount, never go negative as a sum read before and after over different processes did.
 */
export async function driveSplit(
  servers: RunningServer[],
  call: Call,
  settings: LoadSettings,
  adminDsn: string,
  database: string,
): Promise<SplitLoadResult> {
  const headers: Record<string, string> = { ...call.headers };
  let body: string | undefined;
  if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers["content-type"] = "application/json";
  }
  const request = { method: call.method, path: call.path, headers, ...(body ? { body } : {}) };
  const share = (i: number) =>
    Math.floor(settings.connections / servers.length) +
    (i < settings.connections % servers.length ? 1 : 0);
  const run = (duration: number) =>
    Promise.all(
      servers.map((s, i) =>
        autocannon({ url: s.url, connections: share(i), requests: [request], duration }),
      ),
    );
  if (settings.warmupSeconds > 0) await run(settings.warmupSeconds);
  const backendPids = () =>
    psql(
      adminDsn,
      `SELECT pid FROM pg_stat_activity WHERE datname = '${database}' AND backend_type = 'client backend'`,
    )
      .split("\n")
      .filter(Boolean)
      .map(Number);
  const backendsBefore = new Map(backendPids().map((pid) => [pid, cpuSeconds(pid)]));
  const serverCpu = () => servers.reduce((t, s) => t + cpuSeconds(s.child.pid), 0);
  const before = { server: serverCpu() };
  const started = performance.now();
  const results = await run(settings.durationSeconds);
  const seconds = (performance.now() - started) / 1000;
  let pgDelta = 0;
  for (const pid of new Set([...backendsBefore.keys(), ...backendPids()])) {
    const now = cpuSeconds(pid);
    if (Number.isNaN(now)) continue; // ended during the round
    const was = backendsBefore.get(pid);
    pgDelta += was === undefined || Number.isNaN(was) ? now : now - was;
  }
  const after = { server: serverCpu(), pg: pgDelta };
  const requests = results.reduce((t, r) => t + r.requests.total, 0);
  return {
    rps: requests / seconds,
    // Per-instance percentiles weighted by requests (p50) and the worst instance (p99).
    p50Ms: results.reduce((t, r) => t + r.latency.p50 * r.requests.total, 0) / requests,
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
    requests,
    failures: results.reduce((t, r) => t + r.non2xx + r.errors + r.timeouts, 0),
    cpuUsPerRequest: ((after.server - before.server) * 1e6) / requests,
    pgCpuUsPerRequest: (after.pg * 1e6) / requests,
    instances: servers.length,
  };
}

/** {@link sumRounds} for {@link driveSplit}'s rounds: PostgreSQL's CPU summed too. */
function sumSplitRounds(rs: SplitLoadResult[]): SplitLoadResult {
  const base = sumRounds(rs);
  const pgUs = rs.reduce((n, r) => n + r.pgCpuUsPerRequest * r.requests, 0);
  return { ...base, pgCpuUsPerRequest: pgUs / base.requests, instances: rs[0]?.instances ?? 0 };
}

/**
 * Measures send and list on PostgreSQL, one instance and two on one database, against the SQLite
 * server `sqlite` (this run's reference server, still running; `sqliteRoutes` are its routes):
 * for each route the three take turns in interleaved rounds ({@link inRounds}), so PostgreSQL ÷
 * SQLite and two ÷ one compare the same minutes of the machine.
 */
export async function measurePostgres(
  sqlite: RunningServer,
  sqliteRoutes: Route[],
  profile: Profile,
  nodeFlags: string[] = [],
): Promise<PostgresResults> {
  const admin = adminUrl();
  const database = `fluxra_bench_${process.pid}_${Date.now().toString(36)}`;
  let version = "unknown";
  try {
    version = psql(admin, "SHOW server_version").split(" ")[0] ?? "unknown";
    psql(admin, `CREATE DATABASE ${database}`);
  } catch (err) {
    return { version, poolSize: PG_POOL_SIZE, rows: [], error: `PostgreSQL unavailable: ${err}` };
  }
  const url = new URL(admin);
  url.pathname = `/${database}`;
  const dsn = url.toString();
  const servers: RunningServer[] = [];
  try {
    const one = await startOnPostgres(dsn, nodeFlags);
    servers.push(one);
    // The same seed as the SQLite server: two agents, the measured conversation with
    // `setupMessages` messages, `conversations` conversations in all.
    const alice = await seedAgent(one.url, "bench_alice");
    const bob = await seedAgent(one.url, "bench_bob");
    const conversation = await seedConversation(one.url, alice, "measured", [bob.id]);
    for (let i = 1; i < profile.conversations; i++) {
      await seedConversation(one.url, alice, `other ${i}`, [bob.id]);
    }
    await sendMessages(one.url, bob, conversation, profile.setupMessages);
    const measured = routes(alice, conversation).filter((r) => r.floor);
    // The second instance idles while the first is measured alone (an idle CLI costs nothing).
    const two = await startOnPostgres(dsn, nodeFlags);
    servers.push(two);
    if (profile.pgWarmupSeconds > 0) {
      for (const r of measured) {
        const warm = {
          ...profile.load,
          durationSeconds: profile.pgWarmupSeconds,
          warmupSeconds: 0,
        };
        await driveSplit([one, two], r.call, warm, admin, database);
      }
    }
    const rows: PostgresRow[] = [];
    for (const r of measured) {
      const liteRoute = sqliteRoutes.find((x) => x.name === r.name);
      if (!liteRoute) throw new Error(`no SQLite route ${r.name}`);
      const [liteRounds, oneRounds, pairRounds] = (await inRounds<LoadResult | SplitLoadResult>(
        [
          (s) => drive(sqlite.url, liteRoute.call, s, false, sqlite.child.pid),
          (s) => driveSplit([one], r.call, s, admin, database),
          (s) => driveSplit([one, two], r.call, s, admin, database),
        ],
        profile.load,
      )) as [LoadResult[], SplitLoadResult[], SplitLoadResult[]];
      const lite = sumRounds(liteRounds);
      const pg = sumSplitRounds(oneRounds);
      const pair = sumSplitRounds(pairRounds);
      if (lite.failures > 0 || pg.failures > 0 || pair.failures > 0) {
        throw new Error(
          `${r.name}: failed responses: SQLite ${lite.failures}, PostgreSQL ${pg.failures} / ${pair.failures}`,
        );
      }
      rows.push({
        route: r.name,
        sqlite: lite,
        postgres: pg,
        ratio: pg.rps / lite.rps,
        twoInstances: pair,
        scaleOut: pair.rps / pg.rps,
      });
      console.log(
        `  ${r.name}: SQLite ${Math.round(lite.rps)}, PostgreSQL ${Math.round(pg.rps)}, two instances ${Math.round(pair.rps)} req/s`,
      );
    }
    return { version, poolSize: PG_POOL_SIZE, rows };
  } catch (err) {
    return { version, poolSize: PG_POOL_SIZE, rows: [], error: String(err) };
  } finally {
    for (const s of servers) await s.stop();
    try {
      psql(admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } catch (err) {
      console.error(`could not drop ${database}: ${err}`);
    }
  }
}

const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

/** The Markdown section for {@link PostgresResults}. */
export function renderPostgres(pg: PostgresResults): string[] {
  const lines = ["## PostgreSQL backend", ""];
  if (pg.error) return [...lines, `Not measured: ${pg.error}`, ""];
  lines.push(
    `The same CLI with \`--db postgres://…\` (PostgreSQL ${pg.version} on the same machine, pool of ${pg.poolSize} ` +
      "connections per instance, a database of its own for this run), seeded like the SQLite server and driven " +
      "with the same routes and load. Two instances: a second CLI on the same database, the same connections " +
      "split across both, requests and CPU summed. CPU µs/req: the server process(es), and the PostgreSQL " +
      "backends of this database (from pg_stat_activity); the SQLite server has no separate database process. " +
      "SQLite, one PostgreSQL instance and two take turns per route in the same interleaved rounds as the throughput table, " +
      "so the SQLite figures here are their own measurement, in the same minutes as PostgreSQL's.",
    "",
    "| route | SQLite req/s | PostgreSQL req/s | PG ÷ SQLite | two instances req/s | two ÷ one | p50 ms SQLite / PG / two | CPU µs/req SQLite / PG server + backends / two servers + backends |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const r of pg.rows) {
    lines.push(
      `| ${r.route} | ${n0(r.sqlite.rps)} | ${n0(r.postgres.rps)} | ${pct(r.ratio)} | ${n0(r.twoInstances.rps)} | ${r.scaleOut.toFixed(2)}× | ` +
        `${ms(r.sqlite.p50Ms)} / ${ms(r.postgres.p50Ms)} / ${ms(r.twoInstances.p50Ms)} | ` +
        `${n0(r.sqlite.cpuUsPerRequest)} / ${n0(r.postgres.cpuUsPerRequest)} + ${n0(r.postgres.pgCpuUsPerRequest)} / ` +
        `${n0(r.twoInstances.cpuUsPerRequest)} + ${n0(r.twoInstances.pgCpuUsPerRequest)} |`,
    );
  }
  lines.push("");
  return lines;
}
