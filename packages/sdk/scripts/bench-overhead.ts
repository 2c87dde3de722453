// Measures what the SDK adds over a bare `fetch` for the same calls against the reference server
// over real HTTP (architecture.md target: ≤ 10 %). Not a test: timings vary by machine.
// Run: pnpm --filter @fluxra/sdk exec tsx scripts/bench-overhead.ts [iterations]
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
await server.close();
