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
 * Drives `call` on every contender in the same time window: after each one's warm-up, the
 * measured seconds are split into `settings.rounds` rounds, run in A B C, C B A, A B C … order,
 * so a change in the machine's load during the comparison hits every contender alike (one
 * contender measured in its own 10 s while another session's job started or ended was the
 * largest source of the ratios' spread between full runs). Requests, seconds and server CPU are
 * summed over the rounds; p50 is the rounds' mean and p99 their maximum (autocannon reports
 * each round's percentiles, not its samples).
 */
export async function driveInterleaved(
  call: Call,
  contenders: Contender[],
  settings: LoadSettings,
): Promise<LoadResult[]> {
  // autocannon runs whole seconds: a round is at least one (the quick profile's 1 s is one round).
  const rounds = Math.max(1, Math.min(settings.rounds ?? 1, Math.floor(settings.durationSeconds)));
  const per: LoadSettings = {
    ...settings,
    durationSeconds: settings.durationSeconds / rounds,
    warmupSeconds: 0,
  };
  if (settings.warmupSeconds > 0) {
    for (const c of contenders) {
      await drive(
        c.url,
        call,
        { ...settings, durationSeconds: settings.warmupSeconds, warmupSeconds: 0 },
        c.uniqueKeys,
      );
    }
  }
  const runs: LoadResult[][] = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const c = contenders[i] as Contender;
      runs[i]?.push(await drive(c.url, call, per, c.uniqueKeys, c.pid));
    }
  }
  return runs.map((rs) => {
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
  });
}
