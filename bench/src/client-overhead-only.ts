/**
 * Only the "raw fetch vs SDK" part of `pnpm bench`, for iterating on the SDK's call path (~1 min):
 * starts the real CLI on a fresh SQLite file, seeds it as the full run does, and runs the
 * client-overhead passes (same alternation, same counts as the full profile unless overridden).
 *
 *   pnpm --filter @fluxra/bench exec tsx src/client-overhead-only.ts [--iterations N] [--passes N]
 *     [--cpu-prof DIR]   (profiles this process, i.e. the client side, with the inspector)
 *     [--baseline PATH]  (also measures another SDK build, e.g. a copy of an older src/index.ts,
 *                         pass by pass alongside this one: a before/after in one run)
 *     [--warmup N]       (unmeasured warm-up calls per side and call before pass 1; 0: none)
 *     [--cold N]         (first N calls of a fresh process per side; 0: not measured)
 *     [--aa raw|sdk]     (A/A: both sides are the same call, raw `fetch` or the SDK helper, so the
 *                         "overhead" printed is the instrument's own noise floor per pass)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureServerBuilt } from "./build.js";
import {
  clientPairs,
  compareClients,
  measureClientCold,
  measureClientPasses,
} from "./client-overhead.js";
import type { ClientRow } from "./report.js";
import { seedAgent, seedConversation, sendMessages } from "./seed.js";
import { startFluxra } from "./server-process.js";
import { fullProfile } from "./settings.js";

/** Appends `next`'s passes to `rows` (same calls, same order); the worst pass is the row's. */
function merge(rows: ClientRow[], next: ClientRow[]): ClientRow[] {
  if (rows.length === 0) return next;
  return rows.map((row, i) => {
    const passes = [...row.passes, ...(next[i]?.passes ?? [])];
    const worst = passes.reduce((w, p) => (p.overhead > w.overhead ? p : w));
    return { ...row, fetch: worst.fetch, sdk: worst.sdk, overhead: worst.overhead, passes };
  });
}

/**
 * Per call: the worst pass's fetch and SDK p50/mean, every pass's overhead (p50 and mean), and
 * every pass's client CPU µs per call that the SDK adds over fetch.
 */
function table(title: string, rows: ClientRow[]): void {
  const f = (x: number) => x.toFixed(3);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  console.log(`\n${title}:\n`);
  console.log(
    "| call | fetch p50 / mean (ms) | SDK p50 / mean (ms) | overhead p50, per pass | overhead mean, per pass | client CPU µs/call fetch → SDK, per pass |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const row of rows) {
    console.log(
      `| ${row.call} | ${f(row.fetch.p50Ms)} / ${f(row.fetch.meanMs)} | ${f(row.sdk.p50Ms)} / ${f(row.sdk.meanMs)} | ${row.passes
        .map((p) => pct(p.overhead))
        .join(
          ", ",
        )} | ${row.passes.map((p) => pct(p.sdk.meanMs / p.fetch.meanMs - 1)).join(", ")} | ${row.passes
        .map((p) => `${p.fetch.cpuUs.toFixed(0)} → ${p.sdk.cpuUs.toFixed(0)}`)
        .join(", ")} |`,
    );
  }
}

const { values } = parseArgs({
  options: {
    iterations: { type: "string" },
    passes: { type: "string" },
    "cpu-prof": { type: "string" },
    baseline: { type: "string" },
    aa: { type: "string" },
    warmup: { type: "string" },
    cold: { type: "string" },
  },
});
const profile = {
  ...fullProfile,
  ...(values.iterations ? { clientIterations: Number(values.iterations) } : {}),
  ...(values.passes ? { clientPasses: Number(values.passes) } : {}),
  ...(values.warmup ? { clientWarmup: Number(values.warmup) } : {}),
  ...(values.cold ? { clientColdCalls: Number(values.cold) } : {}),
};

ensureServerBuilt();
const dir = mkdtempSync(join(os.tmpdir(), "fluxra-client-bench-"));
const fluxra = await startFluxra(join(dir, "bench.db"));
try {
  const alice = await seedAgent(fluxra.url, "bench_alice");
  const bob = await seedAgent(fluxra.url, "bench_bob");
  const conversation = await seedConversation(fluxra.url, alice, "measured", [bob.id]);
  for (let i = 1; i < profile.conversations; i++) {
    await seedConversation(fluxra.url, alice, `other ${i}`, [bob.id]);
  }
  await sendMessages(fluxra.url, bob, conversation, profile.setupMessages);
  console.log(
    `raw fetch vs SDK (${profile.clientWarmup} warm-up, ${profile.clientPasses} passes × ${profile.clientIterations}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}):`,
  );
  let session: import("node:inspector").Session | undefined;
  if (values["cpu-prof"]) {
    const inspector = await import("node:inspector");
    session = new inspector.Session();
    session.connect();
    const post = (method: string, params?: object) =>
      new Promise<unknown>((resolve, reject) =>
        session?.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
      );
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: 100 });
    await post("Profiler.start");
    (session as unknown as { stopProfile: () => Promise<unknown> }).stopProfile = () =>
      post("Profiler.stop");
  }
  let pairs = await clientPairs(fluxra.url, alice, conversation);
  if (values.aa === "raw" || values.aa === "sdk") {
    const side = values.aa === "raw" ? "fetch" : "sdk";
    console.log(`A/A: ${values.aa} on both sides`);
    pairs = pairs.map((p) => ({ name: p.name, fetch: p[side], sdk: p[side] }));
  }
  let rows: Awaited<ReturnType<typeof measureClientPasses>>;
  let baselineRows: typeof rows = [];
  if (values.baseline) {
    const { createFluxraClient } = (await import(resolve(values.baseline))) as {
      createFluxraClient: Parameters<typeof clientPairs>[3];
    };
    const baseline = await clientPairs(fluxra.url, alice, conversation, createFluxraClient);
    rows = [];
    // Both builds warmed up once, then one pass of each in turn, so a slow stretch of the machine
    // hits both alike.
    const once = { ...profile, clientPasses: 1, clientWarmup: 0 };
    if (profile.clientWarmup > 0) {
      for (const pair of [...pairs, ...baseline]) await compareClients(pair, profile.clientWarmup);
    }
    for (let pass = 1; pass <= profile.clientPasses; pass++) {
      console.log(`this build, pass ${pass}:`);
      rows = merge(rows, await measureClientPasses(pairs, once));
      console.log(`baseline, pass ${pass}:`);
      baselineRows = merge(baselineRows, await measureClientPasses(baseline, once));
    }
  } else {
    rows = await measureClientPasses(pairs, profile);
  }
  if (session && values["cpu-prof"]) {
    const { profile: cpu } = (await (
      session as unknown as { stopProfile: () => Promise<{ profile: unknown }> }
    ).stopProfile()) as { profile: unknown };
    mkdirSync(values["cpu-prof"], { recursive: true });
    const file = join(values["cpu-prof"], `client-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(cpu));
    console.log(`client CPU profile: ${file}`);
  }
  table("this build", rows);
  if (baselineRows.length) table("baseline", baselineRows);
  if (profile.clientColdCalls > 0 && !values.aa) {
    const cold = await measureClientCold(fluxra.url, alice, conversation, profile.clientColdCalls);
    console.log(
      `\ncold: first ${cold.calls} calls of each call, ${cold.processes} fresh processes per side:\n`,
    );
    console.log(
      "| call | fetch / SDK p50 (ms) | fetch / SDK mean (ms) | client CPU µs/call fetch → SDK |",
    );
    console.log("|---|---|---|---|");
    for (const c of cold.rows) {
      console.log(
        `| ${c.call} | ${c.fetch.p50Ms.toFixed(3)} / ${c.sdk.p50Ms.toFixed(3)} | ${c.fetch.meanMs.toFixed(3)} / ${c.sdk.meanMs.toFixed(3)} | ${c.fetch.cpuUs.toFixed(0)} → ${c.sdk.cpuUs.toFixed(0)} |`,
      );
    }
  }
} finally {
  await fluxra.stop();
  rmSync(dir, { recursive: true, force: true });
}
