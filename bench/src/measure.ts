import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CapturedResponse } from "./bare-server.js";
import { median } from "./cpu.js";
import { type Call, drive, type LoadResult } from "./load.js";
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

/** Drives every route on each server (reference, bare, then the store floor) with the same settings. */
export async function measureThroughput(
  fluxra: RunningServer,
  bare: RunningServer,
  floor: RunningServer,
  list: Route[],
  profile: Profile,
): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const r of list) {
    const f = await drive(fluxra.url, r.call, profile.load, r.uniqueKeys, fluxra.child.pid);
    const b = await drive(bare.url, r.call, profile.load, r.uniqueKeys, bare.child.pid);
    const sql = r.floor
      ? await drive(floor.url, r.call, profile.load, false, floor.child.pid)
      : null;
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
 * latency at each size over HTTP.
 */
export async function measureScale(
  base: string,
  dbPath: string,
  agent: SeededAgent,
  conversationId: string,
  profile: Profile,
): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  let stored = 0;
  const call: Call = {
    method: "GET",
    path: `/api/conversations/${conversationId}/messages`,
    headers: { authorization: `Bearer ${agent.accessToken}` },
  };
  for (const size of profile.scaleSizes) {
    const seedSeconds = bulkMessages(dbPath, conversationId, agent.id, stored + 1, size);
    stored = size;
    const list = await latencyLoop(base, call, profile.scaleRequests);
    const first = rows[0]?.list.p50Ms ?? list.p50Ms;
    rows.push({ messages: size, seedSeconds, list, ratio: list.p50Ms / first });
    console.log(
      `  ${size} messages: seeded in ${seedSeconds.toFixed(1)} s, p50 ${list.p50Ms.toFixed(2)} ms`,
    );
  }
  return rows;
}

/**
 * Latency of `requests` sequential calls (one connection, keep-alive) with sub-millisecond
 * timing; autocannon's histogram rounds to whole milliseconds, too coarse for one page read.
 * A tenth as many calls run first as warm-up.
 */
async function latencyLoop(base: string, call: Call, requests: number): Promise<LoadResult> {
  const once = async () => {
    const res = await fetch(`${base}${call.path}`, { headers: call.headers ?? {} });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${call.path} → ${res.status}`);
  };
  // Seeding blocked this event loop for seconds, so a pooled socket the server closed meanwhile
  // may still look open: let the close events run, and retry a warm-up call that hit one.
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (let i = 0; i < Math.ceil(requests / 10); i++) await once().catch(once);
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    await once();
    samples.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  samples.sort((a, b) => a - b);
  const at = (q: number) =>
    samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return {
    rps: requests / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    requests,
    failures: 0,
    cpuUsPerRequest: Number.NaN,
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
