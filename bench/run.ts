/**
 * `pnpm bench`: measures the reference server and the SDK against their ceilings in one run and
 * writes results/latest.{md,json}. `--quick` is the seconds-long smoke run (targets not
 * enforced); `--out DIR` writes elsewhere; `--profile` runs the server under `node --cpu-prof`
 * and prints the heaviest functions by self time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureServerBuilt } from "./src/build.js";
import { clientPairs, measureClientCold, measureClientPasses } from "./src/client-overhead.js";
import {
  eventsFull,
  eventsQuick,
  eventsTargets,
  renderEventsMarkdown,
  runEventsBench,
} from "./src/events/suite.js";
import {
  capture,
  measureScale,
  measureStartup,
  measureThroughput,
  routes,
  startBare,
  startFloor,
} from "./src/measure.js";
import { measurePostgres } from "./src/postgres.js";
import { topSelfTime } from "./src/profile.js";
import { type BenchResults, type ClientRow, checkTargets, renderMarkdown } from "./src/report.js";
import {
  bulkMessages,
  expectUnread,
  seedAgent,
  seedConversation,
  sendMessages,
} from "./src/seed.js";
import { repoRoot, startFluxra } from "./src/server-process.js";
import { fullProfile, quickProfile } from "./src/settings.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    profile: { type: "boolean", default: false },
  },
});
const profile = values.quick ? quickProfile : fullProfile;
const outDir = resolve(values.out ?? join(repoRoot, "bench", "results"));
const started = performance.now();
const loadAverageStart = os.loadavg();

ensureServerBuilt();
const dir = mkdtempSync(join(os.tmpdir(), "fluxra-bench-"));
const dbPath = join(dir, "bench.db");
const profileDir = join(outDir, "tmp", "profiles");
const nodeFlags = values.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
if (values.profile) rmSync(profileDir, { recursive: true, force: true });

const fluxra = await startFluxra(dbPath, nodeFlags);
let bare: Awaited<ReturnType<typeof startBare>> | undefined;
let floor: Awaited<ReturnType<typeof startFloor>> | undefined;
try {
  console.log(`seeding (${fluxra.url}, ${dbPath})`);
  const alice = await seedAgent(fluxra.url, "bench_alice");
  const bob = await seedAgent(fluxra.url, "bench_bob");
  const conversation = await seedConversation(fluxra.url, alice, "measured", [bob.id]);
  const others: string[] = [];
  for (let i = 1; i < profile.conversations; i++) {
    others.push(await seedConversation(fluxra.url, alice, `other ${i}`, [bob.id]));
  }
  await sendMessages(fluxra.url, bob, conversation, profile.setupMessages);
  const backlog = others[0];
  if (backlog) {
    bulkMessages(dbPath, backlog, bob.id, 1, profile.unreadBacklog);
    await expectUnread(fluxra.url, alice, backlog, profile.unreadBacklog);
  }

  const measured = routes(alice, conversation);
  bare = await startBare(dir, await capture(fluxra.url, measured));
  floor = await startFloor(dbPath, alice.id);
  console.log("throughput (reference vs bare Hono):");
  const throughput = await measureThroughput(fluxra, bare, floor, measured, profile);
  await floor.stop();

  console.log(
    `raw fetch vs SDK (${profile.clientWarmup} warm-up calls per side and call, then ${profile.clientPasses} passes):`,
  );
  const client: ClientRow[] = await measureClientPasses(
    await clientPairs(fluxra.url, alice, conversation),
    profile,
  );
  console.log(`  cold: first ${profile.clientColdCalls} calls of a fresh process per side`);
  const clientCold = await measureClientCold(
    fluxra.url,
    alice,
    conversation,
    profile.clientColdCalls,
  );

  console.log("PostgreSQL (send and list; one instance, then two on one database):");
  const postgres = await measurePostgres(fluxra, measured, profile, nodeFlags);
  if (postgres.error) console.log(`  not measured: ${postgres.error}`);

  console.log("scale (bulk-seeded conversation):");
  const scaleConversation = await seedConversation(fluxra.url, alice, "scale", [bob.id]);
  const scale = await measureScale(dir, dbPath, alice, scaleConversation, profile);
  await fluxra.stop();
  await bare.stop();

  console.log("start-up on the existing database:");
  const stored = (profile.scaleSizes.at(-1) ?? 0) + profile.setupMessages;
  const startup = await measureStartup(dbPath, profile.startupRuns, stored);

  const events = await runEventsBench(values.quick ? eventsQuick : eventsFull);

  const partial = {
    generatedAt: new Date().toISOString(),
    mode: profile.mode,
    machine: {
      node: process.versions.node,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      loadAverageStart,
      loadAverageEnd: os.loadavg(),
    },
    settings: {
      connections: profile.load.connections,
      durationSeconds: profile.load.durationSeconds,
      warmupSeconds: profile.load.warmupSeconds,
      rounds: profile.load.rounds ?? 1,
      clientIterations: profile.clientIterations,
      clientWarmup: profile.clientWarmup,
    },
    throughput,
    client,
    clientCold,
    postgres,
    scale,
    startup,
    events,
  };
  const results: BenchResults = {
    ...partial,
    targets: checkTargets(partial),
    targetsEnforced: profile.mode === "full",
    totalSeconds: (performance.now() - started) / 1000,
  };
  const markdown = `${renderMarkdown(results)}\n${renderEventsMarkdown(events, results.targetsEnforced)}`;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "latest.md"), markdown);
  writeFileSync(join(outDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${markdown}`);
  console.log(`written to ${join(outDir, "latest.md")} and latest.json`);

  if (values.profile) {
    console.log("\nserver CPU profile, top functions by self time (% of busy time):");
    for (const f of topSelfTime(profileDir, repoRoot)) {
      console.log(`${f.selfPct.toFixed(1).padStart(5)} %  ${f.name}  ${f.where}`);
    }
  }
  const failed = [...results.targets, ...eventsTargets(events)].some((t) => !t.pass);
  if (results.targetsEnforced && failed) process.exitCode = 1;
} finally {
  await fluxra.stop();
  await bare?.stop();
  await floor?.stop();
  rmSync(dir, { recursive: true, force: true });
}
