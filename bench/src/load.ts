import autocannon from "autocannon";
import { cpuSeconds } from "./cpu.js";

/** One HTTP call the load generator repeats. */
export interface Call {
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Load settings: fixed connections and duration. */
export interface LoadSettings {
  connections: number;
  /** Seconds of measured load. */
  durationSeconds: number;
  /** Seconds of unmeasured load first, so both servers are measured JIT-warm. */
  warmupSeconds: number;
  /**
   * Rounds the measured seconds are split into when servers are compared on one route
   * ({@link driveInterleaved}); 1 when absent.
   */
  rounds?: number;
}

/** What one load run measured. */
export interface LoadResult {
  /** Mean requests per second over the run. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Responses that were not 2xx plus socket errors and timeouts: must be 0. */
  failures: number;
  /** Server CPU (user + system) per request in µs during the measured part; NaN if unknown. */
  cpuUsPerRequest: number;
}

/**
 * Drives `baseUrl` with `call` (fresh `Idempotency-Key` per request when `uniqueKeys`); `pid` is
 * the server process, whose CPU time is read around the measured part.
 */
export async function drive(
  baseUrl: string,
  call: Call,
  settings: LoadSettings,
  uniqueKeys = false,
  pid?: number,
): Promise<LoadResult> {
  const headers: Record<string, string> = { ...call.headers };
  let body: string | undefined;
  if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers["content-type"] = "application/json";
  }
  const request = {
    method: call.method,
    path: call.path,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(uniqueKeys
      ? {
          setupRequest: (req: { headers?: Record<string, string> }) => ({
            ...req,
            headers: { ...req.headers, "idempotency-key": crypto.randomUUID() },
          }),
        }
      : {}),
  };
  const base = { url: baseUrl, connections: settings.connections, requests: [request] };
  if (settings.warmupSeconds > 0) {
    await autocannon({ ...base, duration: settings.warmupSeconds });
  }
  const cpuBefore = cpuSeconds(pid);
  // Timed here: autocannon reports whole seconds.
  const started = performance.now();
  const result = await autocannon({ ...base, duration: settings.durationSeconds });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  return {
    rps: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
    cpuUsPerRequest: (cpu * 1e6) / result.requests.total,
  };
}

/** One server of a {@link driveInterleaved} comparison. */
export interface Contender {
  url: string;
  pid: number | undefined;
  uniqueKeys: boolean;
}

/**
 * Runs every runner (one load run of one contender, for the settings it is given) in the same
 * time window: each one's warm-up first (its result dropped), then the measured seconds split into
 * `settings.rounds` rounds, run in A B C, C B A, A B C … order, so a change in the machine's load
 * during the comparison hits every contender alike (one contender measured in its own 10 s while
 * another session's job started or ended was the largest source of the ratios' spread between
 * full runs). Returns each runner's rounds.
 */
export async function inRounds<R>(
  runners: ((settings: LoadSettings) => Promise<R>)[],
  settings: LoadSettings,
): Promise<R[][]> {
  // autocannon runs whole seconds: a round is at least one (the quick profile's 1 s is one round).
  const rounds = Math.max(1, Math.min(settings.rounds ?? 1, Math.floor(settings.durationSeconds)));
  const per: LoadSettings = {
    ...settings,
    durationSeconds: settings.durationSeconds / rounds,
    warmupSeconds: 0,
  };
  if (settings.warmupSeconds > 0) {
    for (const run of runners) {
      await run({ ...settings, durationSeconds: settings.warmupSeconds, warmupSeconds: 0 });
    }
  }
  const runs: R[][] = runners.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = runners.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order)
      runs[i]?.push(await (runners[i] as (s: LoadSettings) => Promise<R>)(per));
  }
  return runs;
}

/**
 * One result for a contender's rounds: requests, seconds and server CPU summed; p50 the rounds'
 * mean and p99 their maximum (autocannon reports each round's percentiles, not its samples).
 */
export function sumRounds(rs: LoadResult[]): LoadResult {
  const requests = rs.reduce((n, r) => n + r.requests, 0);
  const seconds = rs.reduce((n, r) => n + r.requests / r.rps, 0);
  const cpuUs = rs.reduce((n, r) => n + r.cpuUsPerRequest * r.requests, 0);
  return {
    rps: requests / seconds,
    p50Ms: rs.reduce((n, r) => n + r.p50Ms, 0) / rs.length,
    p99Ms: Math.max(...rs.map((r) => r.p99Ms)),
    requests,
    failures: rs.reduce((n, r) => n + r.failures, 0),
    cpuUsPerRequest: cpuUs / requests,
  };
}

/** {@link drive}s `call` on every contender in interleaved rounds ({@link inRounds}), summed. */
export async function driveInterleaved(
  call: Call,
  contenders: Contender[],
  settings: LoadSettings,
): Promise<LoadResult[]> {
  const runs = await inRounds(
    contenders.map((c) => (s: LoadSettings) => drive(c.url, call, s, c.uniqueKeys, c.pid)),
    settings,
  );
  return runs.map(sumRounds);
}
