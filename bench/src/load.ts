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
