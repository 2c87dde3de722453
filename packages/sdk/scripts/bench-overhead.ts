// Measures what the SDK adds over a bare `fetch` for the same calls against the reference server
// over real HTTP (issue 18 target: ≤ 5 % at p50; `pnpm bench` reports it in three passes), then
// the pieces of a call on their own, in a tight loop (best of 5 rounds, µs per operation), to say
// where the difference goes. Not a test: timings vary by machine.
// Run: pnpm --filter @fluxra/sdk exec tsx scripts/bench-overhead.ts [iterations]
import { pathSerializer } from "../src/client.js";
import { ConnectionCanceller } from "../src/core/connection.js";
import { callAborter } from "../src/core/signals.js";
import { newIdempotencyKey } from "../src/core/transport.js";
import { createFluxraClient } from "../src/index.js";
import { onboard } from "../test/support/onboard.js";
import { startServer } from "../test/support/server.js";

const iterations = Number(process.argv[2] ?? 2000);
const server = startServer();
const baseUrl = await server.listen();
const { client, created } = await onboard({ baseUrl });
const { access_token } = await client.auth.exchangeToken(created.api_key);
const sdk = createFluxraClient({ baseUrl, accessToken: access_token });
const group = await sdk.conversations.create({ type: "group", title: "bench" });
await sdk.messages.send(group.id, { content: "hello" });
const url = `${baseUrl}/api/conversations/${group.id}/messages?limit=10`;
const headers = { authorization: `Bearer ${access_token}` };

const bare = async () => {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(String(res.status));
  return res.json();
};
const viaSdk = async () => {
  const { data, error } = await sdk.GET("/api/conversations/{conversation_id}/messages", {
    params: { path: { conversation_id: group.id }, query: { limit: 10 } },
  });
  if (error) throw new Error(error.error.code);
  return data;
};
const viaHelper = () => sdk.messages.list(group.id, { limit: 10 }).toArray({ limit: 10 });

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  return performance.now() - start;
}

for (const fn of [bare, viaSdk, viaHelper]) await time(fn); // warm-up
const variants = { bare, raw: viaSdk, helper: viaHelper };
const results = new Map<string, number[]>(Object.keys(variants).map((k) => [k, []]));
// Interleaved rounds, median per variant: load from other processes hits all variants alike.
for (let round = 0; round < 5; round++) {
  for (const [name, fn] of Object.entries(variants)) results.get(name)?.push(await time(fn));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const base = median(results.get("bare") ?? []);
for (const [name, xs] of results) {
  const m = median(xs);
  console.log(
    `${name.padEnd(6)} ${(m / iterations).toFixed(3)} ms/call  ${(((m - base) / base) * 100).toFixed(1)} % over bare fetch`,
  );
}

// The pieces of one call, each on its own.
const page = JSON.stringify(await viaSdk());
const pieces: Record<string, () => unknown> = {
  "Request, no signal (what raw fetch builds)": () => new Request(url, { headers }),
  "Request + a fresh AbortController's signal": () =>
    new Request(url, { headers, signal: new AbortController().signal }),
  "Request + a light signal (custom fetch, or before the dispatcher is verified)": () =>
    new Request(url, { headers, signal: callAborter(undefined).signal }),
  "Request + the transport's dispatcher (Node's fetch, no caller's signal)": () =>
    new Request(url, { headers, dispatcher: new ConnectionCanceller() } as RequestInit),
  "setTimeout + clearTimeout (the per-attempt timer)": () =>
    clearTimeout(setTimeout(() => {}, 6e4)),
  "Idempotency-Key (crypto.randomUUID)": () => newIdempotencyKey(),
  "Headers: build 2 + set authorization": () =>
    new Headers({ "content-type": "application/json", "x-a": "1" }).set(
      "authorization",
      "Bearer t",
    ),
  "path template → URL path": () =>
    pathSerializer("/api/conversations/{conversation_id}/messages", { conversation_id: group.id }),
  "JSON.parse of the page": () => JSON.parse(page),
};
console.log("\npieces (best of 5 rounds, µs per operation):");
for (const [name, fn] of Object.entries(pieces)) {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const n = 20_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - start) / n) * 1000);
  }
  console.log(`${best.toFixed(2).padStart(7)} µs  ${name}`);
}
await server.close();
