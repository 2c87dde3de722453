/**
 * The held-streams send rate of the Events bench on its own (a minute instead of the whole
 * `pnpm bench`): a fresh CLI server on SQLite, then `measureHeldStreams` (A B B A cycles, streams
 * held by a child process, the server's CPU per send, RSS, idle CPU).
 *
 *   pnpm --filter @fluxra/bench exec tsx src/events/held-streams.ts [--cycles 3] [--streams 1000]
 *     [--seconds 5] [--server path/to/fluxra-server.js] [--warmup 3] [--delivery 0]
 *     [--trace DIR]
 *
 * `--server` runs another build of the CLI (e.g. one built from main) for a before/after.
 * `--warmup` extra seconds of sends before `measureHeldStreams` (which has its own warm-up);
 * `--delivery N` runs the full run's delivery rounds first (N per transport), as `pnpm bench`
 * does before this part. The server always runs with the GC log (`gc-log.cjs`): each cycle
 * reports its GC pauses per side.
 * `--trace DIR` logs the server's garbage collections (a perf_hooks preload, `gc-log.cjs`, and
 * V8's `--trace-gc` lines) and samples every 50 ms the CPU of the server, the stream holder,
 * this process and the whole machine, the server's involuntary context switches and the WAL
 * size, then prints them per phase (and writes them to DIR).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cpuSeconds } from "../cpu.js";
import { type SeededAgent, seedAgent, seedConversation } from "../seed.js";
import { serverBin, startProcess } from "../server-process.js";
import { deliveryLatency, type SendRate, sendRate } from "./delivery.js";
import { eventsFull, gcLogPreload, gcWindow, measureHeldStreams } from "./suite.js";

const { values } = parseArgs({
  options: {
    cycles: { type: "string", default: String(eventsFull.rateCycles) },
    streams: { type: "string", default: String(eventsFull.streams) },
    seconds: { type: "string", default: String(eventsFull.rateSeconds) },
    server: { type: "string", default: serverBin },
    warmup: { type: "string", default: "0" },
    delivery: { type: "string", default: "0" },
    trace: { type: "string" },
  },
});
const traceDir = values.trace;
const dir = mkdtempSync(join(os.tmpdir(), "fluxra-held-streams-"));
const gcLog = join(traceDir ?? dir, "gc.jsonl");
const server = await startProcess({
  args: [values.server, "--port", "0", "--db", join(dir, "events.db"), "--token-ttl", "3600"],
  env: { FLUXRA_RATE_LIMITS: "off", FLUXRA_GC_LOG: gcLog },
  nodeFlags: [...(traceDir ? ["--trace-gc"] : []), "--require", gcLogPreload],
  timeoutSeconds: 120,
});
const spawnedAt = Date.now() - server.listeningMs;
let traceGc = "";
server.child.stdout?.on("data", (d: Buffer) => {
  traceGc += d.toString();
});

/** One sample of the trace. */
interface Sample {
  t: number;
  server: number;
  holder: number;
  bench: number;
  busy: number;
  total: number;
  nvcsw: number;
  wal: number;
}
const samples: Sample[] = [];
const phases: { cycle: number; phase: string; rate: SendRate }[] = [];
const holderPids = (): number[] => {
  const pids: number[] = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    const kids = readFileSync(`/proc/${process.pid}/task/${task}/children`, "utf8").trim();
    for (const k of kids.split(" ").filter(Boolean)) {
      const cmd = readFileSync(`/proc/${k}/cmdline`, "utf8");
      if (cmd.includes("hold-streams")) pids.push(Number(k));
    }
  }
  return pids;
};
const machine = () => {
  const f = (readFileSync("/proc/stat", "utf8").split("\n")[0] as string)
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
};
const nvcsw = (pid: number | undefined) =>
  Number(
    /nonvoluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1],
  );
const walBytes = () => {
  try {
    return statSync(join(dir, "events.db-wal")).size;
  } catch {
    return 0;
  }
};
let holderCpu = 0; // holders that exited: their CPU is kept
let lastHolder = new Map<number, number>();
const sample = () => {
  const now = new Map<number, number>();
  for (const p of holderPids()) now.set(p, cpuSeconds(p));
  for (const [p, c] of lastHolder) if (!now.has(p)) holderCpu += c;
  lastHolder = now;
  const m = machine();
  const u = process.cpuUsage();
  samples.push({
    t: Date.now(),
    server: cpuSeconds(server.child.pid),
    holder: holderCpu + [...now.values()].reduce((a, b) => a + b, 0),
    bench: (u.user + u.system) / 1e6,
    busy: m.busy,
    total: m.total,
    nvcsw: nvcsw(server.child.pid),
    wal: walBytes(),
  });
};
const sampler = traceDir ? setInterval(sample, 50) : undefined;
if (traceDir) sample();

try {
  const base = server.url;
  const alice = await seedAgent(base, "ev_alice");
  const bob = await seedAgent(base, "ev_bob");
  const pair = await seedConversation(base, alice, "pair", [bob.id]);
  const idle: SeededAgent[] = [];
  for (let i = 0; i < 10; i++) idle.push(await seedAgent(base, `ev_idle${i}`));
  if (Number(values.delivery) > 0) {
    await deliveryLatency(base, base, alice, bob, pair, Number(values.delivery));
  }
  // Extra sends before `measureHeldStreams` (which warms the send path itself).
  if (Number(values.warmup) > 0) {
    const w = await sendRate(base, alice, pair, Number(values.warmup), server.child.pid);
    phases.push({ cycle: -1, phase: "warm-up", rate: w });
  }
  const { throughput: t, heldStreams: h } = await measureHeldStreams(
    base,
    server.child.pid,
    alice,
    pair,
    idle,
    {
      streams: Number(values.streams),
      rateSeconds: Number(values.seconds),
      rateCycles: Number(values.cycles),
    },
    console.log,
    (cycle, phase, rate) => phases.push({ cycle, phase, rate }),
    gcWindow(gcLog),
  );
  console.log(
    `sends/s ${t.idle0.toFixed(0)} without, ${t.idleHeld.toFixed(0)} with ${t.streams} streams (${t.ratio.toFixed(2)}×; cycles ${t.cycles.map((c) => c.ratio.toFixed(2)).join(", ")})`,
  );
  console.log(
    `server CPU µs/send without → with: ${t.cycles.map((c) => `${c.serverCpuUsWithout.toFixed(0)} → ${c.serverCpuUsWith.toFixed(0)}`).join(", ")}`,
  );
  console.log(
    `extra RSS ${h.extraRssMb.toFixed(1)} MB, idle CPU ${h.idleCpuPct.toFixed(2)} %, load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
} finally {
  if (sampler) clearInterval(sampler);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

if (traceDir) {
  const gcs = readFileSync(gcLog, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { t: number; kind: string; ms: number });
  writeFileSync(join(traceDir, "samples.json"), JSON.stringify({ spawnedAt, samples, phases }));
  writeFileSync(join(traceDir, "trace-gc.txt"), traceGc);
  // The sample at or before `t` (first one after it for the window's start is close enough: 50 ms).
  const at = (t: number) => samples.find((s) => s.t >= t) ?? (samples.at(-1) as Sample);
  const row = (label: string, t0: number, t1: number, sends: number) => {
    const a = at(t0);
    const b = at(t1);
    const g = gcs.filter((x) => x.t >= t0 && x.t < t1);
    const gcMs = (k: string) =>
      g
        .filter((x) => x.kind === k)
        .reduce((s, x) => s + x.ms, 0)
        .toFixed(0);
    const count = (k: string) => g.filter((x) => x.kind === k).length;
    const secs = (t1 - t0) / 1000;
    const per = (x: number) => (sends > 0 ? ((x * 1e6) / sends).toFixed(0) : "–");
    const machinePct = (((b.busy - a.busy) / (b.total - a.total)) * 100).toFixed(0);
    console.log(
      [
        label.padEnd(14),
        `${secs.toFixed(2)} s`.padStart(8),
        `${sends > 0 ? (sends / secs).toFixed(0) : "–"}/s`.padStart(7),
        `srv ${per(b.server - a.server)} µs/send`.padStart(17),
        `srv ${(((b.server - a.server) / secs) * 100).toFixed(0)} %`.padStart(8),
        `bench ${per(b.bench - a.bench)}`.padStart(10),
        `holder ${((b.holder - a.holder) * 1000).toFixed(0)} ms`.padStart(14),
        `machine ${machinePct} %`.padStart(13),
        `nvcsw ${b.nvcsw - a.nvcsw}`.padStart(11),
        `GC minor ${count("minor")}/${gcMs("minor")} ms major ${count("major")}/${gcMs("major")} ms incr ${count("incr")}/${gcMs("incr")} ms`,
        `WAL ${(b.wal / 1024).toFixed(0)} KB`,
      ].join("  "),
    );
  };
  console.log("phase timeline (srv/bench CPU per send; holder CPU; machine busy of all cores):");
  let prevEnd: number | undefined;
  for (const p of phases) {
    if (prevEnd !== undefined && p.rate.startedAt - prevEnd > 100) {
      row("  (between)", prevEnd, p.rate.startedAt, 0);
    }
    row(`${p.cycle + 1}:${p.phase}`, p.rate.startedAt, p.rate.endedAt, p.rate.sends);
    prevEnd = p.rate.endedAt;
  }
  console.log(`trace written to ${traceDir} (gc.jsonl, trace-gc.txt, samples.json)`);
}
