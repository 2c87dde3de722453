import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSqliteStore } from "@fluxra/server";
import type { CapturedResponse } from "./bare-server.js";
import { cpuSeconds, median } from "./cpu.js";
import { type Call, type Contender, driveInterleaved, type LoadResult } from "./load.js";
import type { ScaleRow, StartupResult, ThroughputRow } from "./report.js";
import { bulkMessages, type SeededAgent } from "./seed.js";
import { type RunningServer, repoRoot, startFluxra, startProcess } from "./server-process.js";
import type { Profile } from "./settings.js";

/** A measured route: the call, the Hono pattern the bare app registers, and its row name. */
export interface Route {
  name: string;
  pattern: string;
  call: Call;
  /** Fresh `Idempotency-Key` per request (the SDK sends one on every POST). */
  uniqueKeys?: boolean;
  /** Also measured on the store floor (store-floor-server.ts implements it). */
  floor?: boolean;
}

/** The routes of the throughput table for `agent` in `conversationId`. */
export function routes(agent: SeededAgent, conversationId: string): Route[] {
  const auth = { authorization: `Bearer ${agent.accessToken}` };
  const messages = `/api/conversations/${conversationId}/messages`;
  const send: Call = {
    method: "POST",
    path: messages,
    headers: auth,
    body: { content: "benchmark message: the quick brown fox jumps over the lazy dog" },
  };
  return [
    {
      name: "POST /api/auth/token",
      pattern: "/api/auth/token",
      call: { method: "POST", path: "/api/auth/token", body: { api_key: agent.apiKey } },
    },
    {
      name: "POST …/messages",
      pattern: "/api/conversations/:id/messages",
      call: send,
      floor: true,
    },
    {
      name: "POST …/messages + Idempotency-Key",
      pattern: "/api/conversations/:id/messages",
      call: send,
      uniqueKeys: true,
    },
    {
      name: "GET …/messages",
      pattern: "/api/conversations/:id/messages",
      call: { method: "GET", path: messages, headers: auth },
      floor: true,
    },
    {
      name: "GET /api/conversations",
      pattern: "/api/conversations",
      call: { method: "GET", path: "/api/conversations", headers: auth },
    },
  ];
}

/** Calls each route once on the reference server and keeps status and body for the bare app. */
export async function capture(base: string, list: Route[]): Promise<CapturedResponse[]> {
  const out: CapturedResponse[] = [];
  for (const r of list) {
    const res = await fetch(`${base}${r.call.path}`, {
      method: r.call.method,
      headers: {
        ...r.call.headers,
        ...(r.call.body ? { "content-type": "application/json" } : {}),
      },
      ...(r.call.body ? { body: JSON.stringify(r.call.body) } : {}),
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`${r.name} → ${res.status}: ${body}`);
    if (!out.some((c) => c.method === r.call.method && c.route === r.pattern)) {
      out.push({ method: r.call.method, route: r.pattern, status: res.status, body });
    }
  }
  return out;
}

/** Starts the bare Hono ceiling replaying `captured`. */
export function startBare(dir: string, captured: CapturedResponse[]): Promise<RunningServer> {
  const file = join(dir, "bare-responses.json");
  writeFileSync(file, JSON.stringify(captured));
  // tsx resolves from the bench package, which depends on it.
  const bench = join(repoRoot, "bench");
  return startProcess({
    args: ["--import", "tsx", join(bench, "src", "bare-server.ts"), file],
    cwd: bench,
  });
}

/** Starts the store floor on the reference server's database, writing as `authorId`. */
export function startFloor(dbPath: string, authorId: string): Promise<RunningServer> {
  const bench = join(repoRoot, "bench");
  return startProcess({
    args: ["--import", "tsx", join(bench, "src", "store-floor-server.ts"), dbPath, authorId],
    cwd: bench,
  });
}

/**
 * Drives every route on each server (reference, bare and, where it has one, the store floor)
 * with the same settings, the servers of one route interleaved in rounds ({@link driveInterleaved}).
 */
export async function measureThroughput(
  fluxra: RunningServer,
  bare: RunningServer,
  floor: RunningServer,
  list: Route[],
  profile: Profile,
): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const r of list) {
    const contenders: Contender[] = [
      { url: fluxra.url, pid: fluxra.child.pid, uniqueKeys: r.uniqueKeys === true },
      { url: bare.url, pid: bare.child.pid, uniqueKeys: r.uniqueKeys === true },
    ];
    if (r.floor) contenders.push({ url: floor.url, pid: floor.child.pid, uniqueKeys: false });
    const [f, b, found] = (await driveInterleaved(r.call, contenders, profile.load)) as [
      LoadResult,
      LoadResult,
      LoadResult | undefined,
    ];
    const sql = found ?? null;
    if (f.failures > 0 || b.failures > 0 || (sql?.failures ?? 0) > 0) {
      throw new Error(
        `${r.name}: failed responses: ${f.failures} fluxra, ${b.failures} bare, ${sql?.failures} floor`,
      );
    }
    rows.push({
      route: r.name,
      fluxra: f,
      bare: b,
      ratio: f.rps / b.rps,
      cpuRatio: b.cpuUsPerRequest / f.cpuUsPerRequest,
      floor: sql,
    });
    console.log(`  ${r.name}: ${Math.round(f.rps)} vs ${Math.round(b.rps)} req/s`);
  }
  return rows;
}

/**
 * Grows one conversation to each size by bulk SQL inserts and measures its newest page's
 * latency at each size over HTTP, every size in the same time window.
 *
 * The seed writes from this process, past the server's checkpointer (which runs after the
 * server's own commits): each size is therefore checkpointed like a live database would be
 * (`wal_checkpoint(TRUNCATE)`) and, but for the last, copied page by page (SQLite's backup) to a
 * file of its own. One fresh CLI per size then serves its file, and the sizes' latency loops
 * alternate in rounds (10 k, 100 k, 1 M, then 1 M, 100 k, 10 k, …), `requests` calls per size in
 * all. Measured one after the other, a minute apart, the sizes' p50s measured the machine's load
 * in each window rather than the size (issue 18: 0.40 / 0.29 / 0.71 ms in one run, 0.79 / 0.46 /
 * 0.37 ms in another; bench/README.md "Instruments: held streams and the 1 M row").
 */
export async function measureScale(
  dir: string,
  dbPath: string,
  agent: SeededAgent,
  conversationId: string,
  profile: Profile,
  nodeFlags: string[] = [],
): Promise<ScaleRow[]> {
  const call: Call = {
    method: "GET",
    path: `/api/conversations/${conversationId}/messages`,
    headers: { authorization: `Bearer ${agent.accessToken}` },
  };
  const seeded: { messages: number; seedSeconds: number; file: string }[] = [];
  let stored = 0;
  for (const [i, size] of profile.scaleSizes.entries()) {
    const seedSeconds = bulkMessages(dbPath, conversationId, agent.id, stored + 1, size);
    stored = size;
    const last = i === profile.scaleSizes.length - 1;
    const file = last ? dbPath : join(dir, `scale-${size}.db`);
    await checkpointAndCopy(dbPath, last ? undefined : file);
    seeded.push({ messages: size, seedSeconds, file });
    console.log(`  ${size} messages: seeded in ${seedSeconds.toFixed(1)} s`);
  }
  const servers: RunningServer[] = [];
  try {
    for (const s of seeded) servers.push(await startFluxra(s.file, nodeFlags));
    const rounds = 6;
    const perRound = Math.ceil(profile.scaleRequests / rounds);
    const samples = seeded.map(() => [] as number[]);
    const cpu = seeded.map(() => 0);
    const seconds = seeded.map(() => 0);
    // Warm-up: one round's worth of calls per server before any is measured.
    for (const server of servers) await latencyLoop(server.url, call, 0, undefined, perRound);
    for (let round = 0; round < rounds; round++) {
      const order = seeded.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) {
        const server = servers[i] as RunningServer;
        // Two untimed calls first: the connection may have idled past the server's keep-alive
        // timeout while the other sizes were measured (latencyLoop retries those calls).
        const r = await latencyLoop(server.url, call, perRound, server.child.pid, 2);
        samples[i]?.push(...(r.samples ?? []));
        cpu[i] = (cpu[i] ?? 0) + r.cpuUsPerRequest * perRound;
        seconds[i] = (seconds[i] ?? 0) + perRound / r.rps;
      }
    }
    const rows: ScaleRow[] = [];
    for (const [i, s] of seeded.entries()) {
      const sorted = (samples[i] ?? []).sort((a, b) => a - b);
      const at = (q: number) =>
        sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      const list: LoadResult = {
        rps: sorted.length / (seconds[i] ?? 1),
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        requests: sorted.length,
        failures: 0,
        cpuUsPerRequest: (cpu[i] ?? 0) / sorted.length,
      };
      const first = rows[0]?.list.p50Ms ?? list.p50Ms;
      rows.push({
        messages: s.messages,
        seedSeconds: s.seedSeconds,
        list,
        ratio: list.p50Ms / first,
      });
      console.log(
        `  ${s.messages} messages: p50 ${list.p50Ms.toFixed(2)} ms, server ${list.cpuUsPerRequest.toFixed(0)} CPU µs/request`,
      );
    }
    return rows;
  } finally {
    for (const server of servers) await server.stop();
  }
}

/**
 * Checkpoints `dbPath`'s WAL into the database file (TRUNCATE: what the server's checkpointer
 * does after its own commits, which a bulk seed from another connection never triggers) and,
 * with `copyTo`, copies the database page by page (SQLite's online backup: the same pages in the
 * same order, not a rebuilt file) there.
 */
export async function checkpointAndCopy(dbPath: string, copyTo?: string): Promise<void> {
  const store = createSqliteStore(dbPath);
  try {
    store.db.raw.pragma("wal_checkpoint(TRUNCATE)");
    if (copyTo !== undefined) await store.db.raw.backup(copyTo);
  } finally {
    store.db.close();
  }
}

/**
 * Latency of `requests` sequential calls (one connection, keep-alive) with sub-millisecond
 * timing; autocannon's histogram rounds to whole milliseconds, too coarse for one page read.
 * A tenth as many calls run first as warm-up (`warmUp`); `pid`: the server's CPU µs per call
 * (from /proc) in `cpuUsPerRequest`. `samples` are the measured calls' ms in order.
 */
export async function latencyLoop(
  base: string,
  call: Call,
  requests: number,
  pid?: number,
  warmUp = Math.ceil(requests / 10),
): Promise<LoadResult & { samples: number[] }> {
  const once = async () => {
    const res = await fetch(`${base}${call.path}`, { headers: call.headers ?? {} });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${call.path} → ${res.status}`);
  };
  // Seeding blocked this event loop for seconds, so a pooled socket the server closed meanwhile
  // may still look open: let the close events run, and retry a warm-up call that hit one.
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (let i = 0; i < warmUp; i++) await once().catch(once);
  const samples: number[] = [];
  const cpu0 = cpuSeconds(pid);
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    await once();
    samples.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuUsPerRequest = ((cpuSeconds(pid) - cpu0) * 1e6) / requests;
  const measured = [...samples];
  samples.sort((a, b) => a - b);
  const at = (q: number) =>
    samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return {
    rps: requests / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    requests,
    failures: 0,
    cpuUsPerRequest,
    samples: measured,
  };
}

/** Starts the CLI `runs` times on the existing `dbPath`: spawn → listening line, → first /health 200. */
export async function measureStartup(
  dbPath: string,
  runs: number,
  databaseMessages: number,
): Promise<StartupResult> {
  const listening: number[] = [];
  const health: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const server = await startFluxra(dbPath);
    try {
      const res = await fetch(`${server.url}/health`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`/health → ${res.status}`);
      health.push(performance.now() - started);
      listening.push(server.listeningMs);
    } finally {
      await server.stop();
    }
  }
  return { runs, databaseMessages, listeningMs: median(listening), healthMs: median(health) };
}
