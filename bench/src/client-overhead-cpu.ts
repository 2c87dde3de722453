/**
 * The SDK's own CPU per call over raw `fetch`, without the network: every request goes through
 * Node's whole `fetch` (Request, signal bookkeeping, fetch controller, Response, body stream) to a
 * global undici dispatcher that answers from memory, so the socket and the server, which cost
 * the same for both sides and dominate the noise on a shared machine, are out of the figure.
 * The four calls of `client-overhead.ts` (same requests, same code), CPU µs per call of this
 * process (`process.cpuUsage`), rounds alternating raw / this build / baseline (A B B A),
 * medians of the per-round differences. Complements `client-overhead-only.ts` (real CLI, p50s).
 *
 *   pnpm --filter @fluxra/bench exec tsx src/client-overhead-cpu.ts [--calls N] [--rounds N]
 *     [--baseline path/to/other/sdk/src/index.ts]
 */
import os from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { clientPairs } from "./client-overhead.js";
import { median } from "./cpu.js";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "1000" },
    rounds: { type: "string", default: "12" },
    baseline: { type: "string" },
  },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);

// Answers shaped like the reference server's (a page of 50 messages, 20 conversations).
const message = (i: number) => ({
  id: `msg_01jf${String(i).padStart(22, "0")}`,
  conversation_id: "cnv_01jf0000000000000000000000",
  seq: i,
  author_id: "agt_01jf0000000000000000000000",
  content: "client overhead: the quick brown fox jumps over the lazy dog",
  content_type: "text/plain",
  reply_to_id: null,
  metadata: null,
  created_at: "2026-12-07T06:00:00.000Z",
  edited_at: null,
  deleted_at: null,
});
const bodies = {
  token: JSON.stringify({
    access_token: "eyJ".padEnd(300, "x"),
    token_type: "Bearer",
    expires_in: 900,
  }),
  send: JSON.stringify(message(61)),
  messages: JSON.stringify({
    data: Array.from({ length: 50 }, (_, i) => message(60 - i)),
    has_more: true,
    next_cursor: "c_60",
  }),
  conversations: JSON.stringify({
    data: Array.from({ length: 20 }, (_, i) => ({
      id: `cnv_01jf${String(i).padStart(22, "0")}`,
      type: "group",
      title: `other ${i}`,
      unread_count: i,
      last_message: message(i),
      created_at: "2026-12-07T06:00:00.000Z",
    })),
    has_more: false,
    next_cursor: null,
  }),
};
const answer = (method: string, path: string): [number, string] => {
  if (path.startsWith("/api/auth/token")) return [200, bodies.token];
  if (path.startsWith("/api/conversations?") || path === "/api/conversations") {
    return [200, bodies.conversations];
  }
  return method === "POST" ? [201, bodies.send] : [200, bodies.messages];
};

interface Handler {
  onConnect?(abort: (error?: Error) => void): void;
  onResponseStarted?(): void;
  onHeaders?(status: number, headers: Buffer[], resume: () => void, text: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: Buffer[]): void;
  onError?(error: Error): void;
}

// The global dispatcher: what undici's `fetch` dispatches to when given no `dispatcher`, and
// what the SDK's connection canceller forwards to.
(globalThis as Record<symbol, unknown>)[Symbol.for("undici.globalDispatcher.1")] = {
  dispatch(
    opts: { method: string; path: string; body?: AsyncIterable<unknown> | null },
    handler: Handler,
  ) {
    let aborted: Error | undefined;
    handler.onConnect?.((error) => {
      aborted = error ?? new Error("aborted");
    });
    const read = async () => {
      if (opts.body && Symbol.asyncIterator in opts.body) for await (const _ of opts.body);
    };
    read().then(() =>
      setImmediate(() => {
        if (aborted) return handler.onError?.(aborted);
        const [status, text] = answer(opts.method, opts.path);
        const body = Buffer.from(text);
        handler.onResponseStarted?.();
        handler.onHeaders?.(
          status,
          [
            Buffer.from("content-type"),
            Buffer.from("application/json"),
            Buffer.from("content-length"),
            Buffer.from(String(body.length)),
          ],
          () => {},
          status === 201 ? "Created" : "OK",
        );
        handler.onData?.(body);
        handler.onComplete?.([]);
      }),
    );
    return true;
  },
};

const base = "http://127.0.0.1:8080";
const agent = {
  id: "agt_01jf0000000000000000000000",
  apiKey: `fxk_${"a".repeat(40)}`,
  accessToken: "eyJ".padEnd(300, "x"),
};
const conversationId = "cnv_01jf0000000000000000000000";
type Create = Parameters<typeof clientPairs>[3];
const sides: { name: string; pairs: Awaited<ReturnType<typeof clientPairs>> }[] = [
  { name: "this build", pairs: await clientPairs(base, agent, conversationId) },
];
if (values.baseline) {
  const { createFluxraClient } = (await import(resolve(values.baseline))) as {
    createFluxraClient: Create;
  };
  sides.push({
    name: "baseline",
    pairs: await clientPairs(base, agent, conversationId, createFluxraClient),
  });
}

async function cpuPerCall(fn: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
console.log(
  `SDK CPU over raw fetch, in memory (${rounds} rounds × ${calls} calls, load ${load()}):\n`,
);
console.log(
  `| call | raw fetch (µs) | ${sides.map((s) => `${s.name}: + µs`).join(" | ")}${sides.length > 1 ? " | this − baseline (µs) |" : " |"}`,
);
console.log(`|---|---:|${sides.map(() => "---:|").join("")}${sides.length > 1 ? "---:|" : ""}`);
const names = sides[0]?.pairs.map((p) => p.name) ?? [];
for (const [index, name] of names.entries()) {
  const raw = sides[0]?.pairs[index]?.fetch as () => Promise<unknown>;
  const fns = sides.map((s) => s.pairs[index]?.sdk as () => Promise<unknown>);
  for (const fn of [raw, ...fns]) for (let i = 0; i < 300; i++) await fn();
  const rawUs: number[] = [];
  const sideUs = sides.map(() => [] as number[]);
  const order = [-1, ...sides.map((_, i) => i)];
  for (let round = 0; round < rounds; round++) {
    // raw, this, baseline, baseline, this, raw: each side gets early and late slots alike.
    const slots = [...order, ...[...order].reverse()];
    const got = new Map<number, number[]>();
    for (const slot of slots) {
      const us = await cpuPerCall(slot === -1 ? raw : (fns[slot] as () => Promise<unknown>));
      got.set(slot, [...(got.get(slot) ?? []), us]);
    }
    rawUs.push(median(got.get(-1) ?? []));
    for (const [i, xs] of sideUs.entries()) xs.push(median(got.get(i) ?? []));
  }
  const over = (xs: number[]) => median(xs.map((x, r) => x - (rawUs[r] as number)));
  const cells = sideUs.map((xs) => over(xs).toFixed(1));
  const diff =
    sideUs.length > 1
      ? ` | ${median((sideUs[0] as number[]).map((x, r) => x - ((sideUs[1] as number[])[r] as number))).toFixed(1)} |`
      : " |";
  console.log(`| ${name} | ${median(rawUs).toFixed(1)} | ${cells.join(" | ")}${diff}`);
}
console.log(`\nload at the end: ${load()}`);
