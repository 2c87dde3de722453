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
import { answerFromMemory } from "./in-memory-dispatcher.js";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "1000" },
    rounds: { type: "string", default: "12" },
    baseline: { type: "string" },
  },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);

answerFromMemory();

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
