import { randomUUID } from "node:crypto";
import { createFluxraClient } from "@fluxra/sdk";
import type { ClientPass, ClientRow } from "./report.js";
import type { SeededAgent } from "./seed.js";
import type { Profile } from "./settings.js";

/** Mean and median ms per call of a sequential loop. */
export interface LoopResult {
  meanMs: number;
  p50Ms: number;
  /**
   * This process's CPU (user + system) per call, µs: the client side's own work, which other
   * processes' load does not inflate the way it does wall-clock time.
   */
  cpuUs: number;
}

/** One operation done both ways: raw `fetch` and the SDK helper. */
export interface ClientPair {
  name: string;
  fetch: () => Promise<unknown>;
  sdk: () => Promise<unknown>;
}

/**
 * The same four calls as the load test, with identical requests on the wire: the raw side sends
 * what the SDK sends, byte for byte apart from the `Idempotency-Key` value (same headers in the
 * same order: JSON content type, a fresh `Idempotency-Key` on POSTs, and the bearer token of the
 * SDK client's own session, read from the client itself), so the difference is the SDK's own
 * client-side work. `client-overhead.test.ts` checks the bytes.
 *
 * Until round 4 the raw side sent the seeded agent's token (another session of the same agent)
 * and its headers in another order; a same-run A/B showed neither moved the server's answer time
 * (README, "Round 4"), but "identical" is now literal.
 */
export async function clientPairs(
  base: string,
  agent: SeededAgent,
  conversationId: string,
  /** Another build of the SDK to measure (client-overhead-only.ts `--baseline`). */
  create: typeof createFluxraClient = createFluxraClient,
): Promise<ClientPair[]> {
  const sdk = create({ baseUrl: base, apiKey: agent.apiKey, maxRetries: 0 });
  // The SDK's api key exchange happens here, not in a measured call; the raw side then sends the
  // token the SDK holds (an hour's lifetime: no renewal during a run).
  const auth = { authorization: `Bearer ${await sdk.getAccessToken()}` };
  const ok = async (res: Response) => {
    if (!res.ok) throw new Error(`${res.url} → ${res.status}: ${await res.text()}`);
    return res.json();
  };
  // The SDK's header order for a JSON POST: content type, idempotency key, then credentials.
  const post = (token: boolean) => ({
    "content-type": "application/json",
    "idempotency-key": randomUUID(),
    ...(token ? auth : {}),
  });
  const messages = `${base}/api/conversations/${conversationId}/messages`;
  const body = { content: "client overhead: the quick brown fox jumps over the lazy dog" };
  return [
    {
      name: "POST /api/auth/token",
      fetch: () =>
        fetch(`${base}/api/auth/token`, {
          method: "POST",
          headers: post(false),
          body: JSON.stringify({ api_key: agent.apiKey }),
        }).then(ok),
      sdk: () => sdk.auth.exchangeToken(agent.apiKey),
    },
    {
      name: "POST …/messages",
      fetch: () =>
        fetch(messages, { method: "POST", headers: post(true), body: JSON.stringify(body) }).then(
          ok,
        ),
      sdk: () => sdk.messages.send(conversationId, body),
    },
    {
      name: "GET …/messages",
      fetch: () => fetch(messages, { headers: auth }).then(ok),
      sdk: () => sdk.messages.list(conversationId).pages().next(),
    },
    {
      name: "GET /api/conversations",
      fetch: () => fetch(`${base}/api/conversations`, { headers: auth }).then(ok),
      sdk: () => sdk.conversations.list().pages().next(),
    },
  ];
}

/** Wall-clock samples (ms) and CPU µs summed over them, of one side. */
interface Side {
  samples: number[];
  cpuUs: number;
}

async function timed(fn: () => Promise<unknown>, into: Side): Promise<void> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await fn();
  into.samples.push(performance.now() - t);
  const used = process.cpuUsage(cpu);
  into.cpuUs += used.user + used.system;
}

const summarize = ({ samples, cpuUs }: Side): LoopResult => {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
  return {
    meanMs: mean,
    p50Ms: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
    cpuUs: cpuUs / samples.length,
  };
};

/**
 * Runs each side `iterations` times, alternating call by call (and which side goes first) so
 * drift in the shared machine's load hits both sides alike; a tenth as many warm-up calls first.
 */
export async function compareClients(
  pair: ClientPair,
  iterations: number,
): Promise<{ fetch: LoopResult; sdk: LoopResult }> {
  const f: Side = { samples: [], cpuUs: 0 };
  const s: Side = { samples: [], cpuUs: 0 };
  const warm = Math.max(5, Math.floor(iterations / 10));
  for (let i = 0; i < warm; i++) {
    await pair.fetch();
    await pair.sdk();
  }
  for (let i = 0; i < iterations; i++) {
    if (i % 2 === 0) {
      await timed(pair.fetch, f);
      await timed(pair.sdk, s);
    } else {
      await timed(pair.sdk, s);
      await timed(pair.fetch, f);
    }
  }
  return { fetch: summarize(f), sdk: summarize(s) };
}

/**
 * `profile.clientPasses` measured passes over every pair, one after the other (pass 1 of every
 * call, then pass 2, …), so a slow stretch of the shared machine lands in one pass, not in one
 * call. Each row keeps every pass; its `fetch`/`sdk`/`overhead` are those of its worst pass.
 *
 * Before pass 1, an unmeasured warm-up pass: `profile.clientWarmup` alternating calls per side
 * of every pair. V8 is still optimizing both sides' code (undici's `fetch`, and the SDK's own
 * layers on top of it) for the first few thousand calls (`src/jit-settle.ts`; README, "Round 6"),
 * so with only the per-pair warm-up (a tenth of the calls) pass 1 measured the SDK's extra code
 * partly unoptimized. What the first calls of a fresh process cost is reported on its own
 * ({@link measureClientCold}).
 */
export async function measureClientPasses(
  pairs: ClientPair[],
  profile: Pick<Profile, "clientIterations" | "clientPasses"> &
    Partial<Pick<Profile, "clientWarmup">>,
): Promise<ClientRow[]> {
  const passes = new Map<string, ClientPass[]>(pairs.map((p) => [p.name, []]));
  if (profile.clientWarmup) {
    for (const pair of pairs) await compareClients(pair, profile.clientWarmup);
  }
  for (let pass = 1; pass <= profile.clientPasses; pass++) {
    for (const pair of pairs) {
      const r = await compareClients(pair, profile.clientIterations);
      const overhead = r.sdk.p50Ms / r.fetch.p50Ms - 1;
      passes.get(pair.name)?.push({ ...r, overhead });
      console.log(
        `  pass ${pass} ${pair.name}: p50 ${r.fetch.p50Ms.toFixed(3)} vs ${r.sdk.p50Ms.toFixed(3)} ms (${(overhead * 100).toFixed(1)} %), client CPU ${r.fetch.cpuUs.toFixed(1)} vs ${r.sdk.cpuUs.toFixed(1)} µs/call (+${(r.sdk.cpuUs - r.fetch.cpuUs).toFixed(1)})`,
      );
    }
  }
  return pairs.map((pair) => {
    const all = passes.get(pair.name) ?? [];
    const worst = all.reduce((w, p) => (p.overhead > w.overhead ? p : w));
    return {
      call: pair.name,
      fetch: worst.fetch,
      sdk: worst.sdk,
      overhead: worst.overhead,
      passes: all,
    };
  });
}

/** The first calls of a fresh process, per call, each side in processes of its own. */
export interface ClientCold {
  /** Calls of each pair per process. */
  calls: number;
  /** Fresh processes per side (run A B B A…; their samples pooled). */
  processes: number;
  rows: { call: string; fetch: LoopResult; sdk: LoopResult }[];
}

/**
 * What a fresh process pays on its first `calls` calls of each pair, raw `fetch` in processes of
 * its own and the SDK in others (`client-cold.ts`: the same `clientPairs`, the pairs in the same
 * order, each pair's calls back to back), so the measured passes' warm-up hides nothing.
 * Processes alternate raw, SDK, SDK, raw, …; each process first makes the SDK's api key
 * exchange (`clientPairs` reads the token the raw side sends from the SDK client).
 */
export async function measureClientCold(
  base: string,
  agent: SeededAgent,
  conversationId: string,
  calls: number,
  processes = 2,
): Promise<ClientCold> {
  const { spawn } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const script = fileURLToPath(new URL("./client-cold.ts", import.meta.url));
  const run = (side: "fetch" | "sdk") =>
    new Promise<ColdSamples>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          // tsx's loader as this process has it (bench, client-overhead-only), else load it.
          ...(process.execArgv.some((a) => a === "tsx" || /[\\/]tsx[\\/]dist[\\/]/.test(a))
            ? process.execArgv
            : ["--import", "tsx"]),
          script,
          JSON.stringify({ base, agent, conversationId, calls, side }),
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.on("error", reject);
      child.on("exit", (code) =>
        code === 0 ? resolve(JSON.parse(out) as ColdSamples) : reject(new Error(`cold: ${code}`)),
      );
    });
  const pooled = { fetch: new Map<string, Side>(), sdk: new Map<string, Side>() };
  for (let i = 0; i < processes; i++) {
    const order: ("fetch" | "sdk")[] = i % 2 === 0 ? ["fetch", "sdk"] : ["sdk", "fetch"];
    for (const side of order) {
      for (const [call, got] of Object.entries(await run(side))) {
        const into = pooled[side].get(call) ?? { samples: [], cpuUs: 0 };
        into.samples.push(...got.samples);
        into.cpuUs += got.cpuUs;
        pooled[side].set(call, into);
      }
    }
  }
  return {
    calls,
    processes,
    rows: [...pooled.fetch.keys()].map((call) => ({
      call,
      fetch: summarize(pooled.fetch.get(call) as Side),
      sdk: summarize(pooled.sdk.get(call) as Side),
    })),
  };
}

/** What one `client-cold.ts` process reports: per call, its samples (ms) and CPU µs summed. */
export type ColdSamples = Record<string, Side>;

/** `client-cold.ts`'s loop: `calls` calls of one side of every pair, in order. */
export async function coldSamples(
  pairs: ClientPair[],
  side: "fetch" | "sdk",
  calls: number,
): Promise<ColdSamples> {
  const out: ColdSamples = {};
  for (const pair of pairs) {
    const into: Side = { samples: [], cpuUs: 0 };
    for (let i = 0; i < calls; i++) await timed(pair[side], into);
    out[pair.name] = into;
  }
  return out;
}
