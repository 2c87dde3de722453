/**
 * The Events (preview) part of `pnpm bench`, one run, numbers compared as ratios or against the
 * issue's goals:
 * 1. Store floor (in-process SQLite): the send path's fan-out cost, per-recipient rows (chosen)
 *    vs one row per conversation event, on 2- and 100-member groups.
 * 2. Server (the real CLI on SQLite, loopback HTTP): send → event received by a held long-poll
 *    and by an SSE stream, measured alike and interleaved (p50/p99); send throughput with 0 vs
 *    1,000 idle streams held, their RSS and idle CPU; a 100-member group's send until all 100
 *    streams have it.
 * 3. PostgreSQL: two CLI instances on one database (send through 1, long-poll and stream held on
 *    2), and the position lock's cost (store level, concurrent senders, with vs without it).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TargetCheck } from "../report.js";
import { type SeededAgent, seedAgent, seedConversation } from "../seed.js";
import { serverBin, startProcess } from "../server-process.js";
import {
  type Delivery,
  deliveryLatency,
  fanOut,
  holdStreams,
  type Latency,
  type SendRate,
  sendRate,
} from "./delivery.js";
import { type FanoutCost, measureFanoutCost } from "./fanout-cost.js";
import { type LockCostRow, measurePgLockCost } from "./pg-lock-cost.js";

/** Counts of one Events run. */
export interface EventsSettings {
  /** Store-floor iterations per design and group size. */
  costIterations: number;
  /** Delivery rounds per transport on SQLite (p99 = the 10th worst of 1,000). */
  rounds: number;
  /** Delivery rounds per transport across two PostgreSQL instances. */
  pgRounds: number;
  /** Idle ms before each delivery round's send. */
  gapMs: number;
  /** Idle streams held during the second send-rate measurement. */
  streams: number;
  /** Seconds of each send-rate measurement (and of the idle-CPU window). */
  rateSeconds: number;
  /** A B B A cycles of the send rate with and without idle streams. */
  rateCycles: number;
  /** Sends to the 100-member group. */
  fanRounds: number;
  /** Concurrent senders of the position-lock measurement. */
  lockSenders: number[];
  /** Seconds per lock measurement round, and rounds per mode (alternating). */
  lockSeconds: number;
  lockRounds: number;
}

export const eventsFull: EventsSettings = {
  costIterations: 1000,
  rounds: 1000,
  pgRounds: 500,
  gapMs: 15,
  streams: 1000,
  rateSeconds: 5,
  rateCycles: 3,
  fanRounds: 30,
  lockSenders: [1, 16],
  lockSeconds: 2,
  lockRounds: 2,
};

export const eventsQuick: EventsSettings = {
  costIterations: 100,
  rounds: 20,
  pgRounds: 20,
  gapMs: 15,
  streams: 100,
  rateSeconds: 1,
  rateCycles: 1,
  fanRounds: 3,
  lockSenders: [1, 4],
  lockSeconds: 0.5,
  lockRounds: 1,
};

/** One A B B A cycle of the held-streams send rate. */
export interface RateCycle {
  /** sends/s with the streams held ÷ without. */
  ratio: number;
  /** The server's CPU µs per send without and with the streams (machine load does not move it). */
  serverCpuUsWithout: number;
  serverCpuUsWith: number;
  /** The server's GC pauses (ms, both phases of the side; NaN when not logged). */
  serverGcMsWithout: number;
  serverGcMsWith: number;
  /** The four measured phases in order (without, with, with, without). */
  phases: { with: boolean; perSecond: number; serverCpuUs: number; serverGcMs: number }[];
}

/** What the Events part measured. */
export interface EventsResults {
  settings: EventsSettings;
  fanoutCost: FanoutCost[];
  sqlite: Delivery;
  throughput: {
    streams: number;
    idle0: number;
    idleHeld: number;
    ratio: number;
    /** Each A B B A cycle. */
    cycles: RateCycle[];
  };
  heldStreams: { streams: number; extraRssMb: number; idleCpuPct: number };
  fanOut100: Latency;
  /** Send through instance 1, received on instance 2; null when PostgreSQL was unavailable. */
  postgresTwoInstances: Delivery | null;
  positionLock: LockCostRow[] | null;
  postgresError?: string;
  seconds: number;
}

const startCli = (db: string, env: Record<string, string> = {}, nodeFlags: string[] = []) =>
  startProcess({
    args: [serverBin, "--port", "0", "--db", db, "--token-ttl", "3600"],
    env: { FLUXRA_RATE_LIMITS: "off", ...env },
    nodeFlags,
    timeoutSeconds: 120,
  });

/**
 * A `--require` preload that logs the process's GC pauses (perf_hooks) to `FLUXRA_GC_LOG`, so
 * the held-streams cycles can say which phase a collection landed in.
 */
export const gcLogPreload = fileURLToPath(new URL("./gc-log.cjs", import.meta.url));

/** Runs the Events part (its own servers and databases); `log` gets progress lines. */
export async function runEventsBench(
  n: EventsSettings,
  log: (line: string) => void = console.log,
): Promise<EventsResults> {
  const started = performance.now();
  log("events: store floor, fan-out cost per send");
  const fanoutCost = await measureFanoutCost(n.costIterations);

  const dir = mkdtempSync(join(os.tmpdir(), "fluxra-events-bench-"));
  const gcLog = join(dir, "gc.jsonl");
  const server = await startCli(join(dir, "events.db"), { FLUXRA_GC_LOG: gcLog }, [
    "--require",
    gcLogPreload,
  ]);
  let sqlite: Delivery;
  let throughput: EventsResults["throughput"];
  let heldStreams: EventsResults["heldStreams"];
  let fanOut100: Latency;
  try {
    const base = server.url;
    const alice = await seedAgent(base, "ev_alice");
    const bob = await seedAgent(base, "ev_bob");
    const pair = await seedConversation(base, alice, "pair", [bob.id]);
    log(`events: SQLite delivery, ${n.rounds} rounds per transport`);
    sqlite = await deliveryLatency(base, base, alice, bob, pair, n.rounds, { gapMs: n.gapMs });

    log(`events: send rate with 0 vs ${n.streams} idle streams`);
    const idle: SeededAgent[] = [];
    for (let i = 0; i < 10; i++) idle.push(await seedAgent(base, `ev_idle${i}`));
    ({ throughput, heldStreams } = await measureHeldStreams(
      base,
      server.child.pid,
      alice,
      pair,
      idle,
      n,
      log,
      undefined,
      gcWindow(gcLog),
    ));

    log("events: 100-member fan-out");
    const members: SeededAgent[] = [];
    for (let i = 0; i < 99; i++) members.push(await seedAgent(base, `ev_m${i}`));
    const ids = members.map((m) => m.id);
    const group = await seedConversation(base, alice, "hundred", ids);
    fanOut100 = {
      ...(await fanOut(base, alice, [alice, ...members], group, n.fanRounds)),
      rounds: n.fanRounds,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  let postgresTwoInstances: Delivery | null = null;
  let positionLock: LockCostRow[] | null = null;
  let postgresError: string | undefined;
  const database = `fluxra_bench_events_${process.pid}`;
  const pgUrl = process.env["FLUXRA_BENCH_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const psql = (sql: string) => execFileSync("psql", [pgUrl, "-X", "-q", "-c", sql]);
  try {
    psql(`CREATE DATABASE ${database}`);
    const url = new URL(pgUrl);
    url.pathname = `/${database}`;
    const pgEnv = { FLUXRA_PG_POOL_SIZE: "5" };
    const one = await startCli(url.toString(), pgEnv);
    const two = await startCli(url.toString(), pgEnv).catch(async (err: unknown) => {
      await one.stop();
      throw err;
    });
    try {
      const a = await seedAgent(one.url, "pg_alice");
      const b = await seedAgent(one.url, "pg_bob");
      const conv = await seedConversation(one.url, a, "pg", [b.id]);
      log(`events: PostgreSQL, instance 1 → 2, ${n.pgRounds} rounds per transport`);
      postgresTwoInstances = await deliveryLatency(one.url, two.url, a, b, conv, n.pgRounds, {
        gapMs: n.gapMs,
      });
    } finally {
      await one.stop();
      await two.stop();
    }
    log(`events: PostgreSQL position lock, ${n.lockSenders.join(" and ")} senders`);
    positionLock = await measurePgLockCost(
      url.toString(),
      n.lockSenders,
      n.lockSeconds,
      n.lockRounds,
    );
  } catch (err) {
    postgresError = String(err);
    log(`events: PostgreSQL part failed: ${postgresError}`);
  } finally {
    try {
      psql(`DROP DATABASE IF EXISTS ${database}`);
    } catch {
      // never created (PostgreSQL unreachable)
    }
  }
  return {
    settings: n,
    fanoutCost,
    sqlite,
    throughput,
    heldStreams,
    fanOut100,
    postgresTwoInstances,
    positionLock,
    ...(postgresError === undefined ? {} : { postgresError }),
    seconds: (performance.now() - started) / 1000,
  };
}

/** The server's GC in a window (epoch ms): pause ms and scavenges; NaN without a GC log. */
export type GcWindow = (startedAt: number, endedAt: number) => { ms: number; scavenges: number };

/** The server's GC log (JSON lines of `gc-log.cjs`) as a {@link GcWindow}. */
export function gcWindow(path: string | undefined): GcWindow {
  return (startedAt, endedAt) => {
    let text: string;
    try {
      text = path === undefined ? "" : readFileSync(path, "utf8");
    } catch {
      text = "";
    }
    if (text === "") return { ms: Number.NaN, scavenges: Number.NaN };
    let ms = 0;
    let scavenges = 0;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const gc = JSON.parse(line) as { t: number; ms: number; kind: string };
      if (gc.t < startedAt || gc.t >= endedAt) continue;
      ms += gc.ms;
      if (gc.kind === "minor") scavenges++;
    }
    return { ms, scavenges };
  };
}

/**
 * Send rate with 0 vs `n.streams` idle SSE streams held (held by a child process), in
 * `n.rateCycles` A B B A cycles on a running server (`pid` for its RSS and CPU); `idle` are the
 * agents whose streams are held (not members of `pair`). `gc` sums the server's GC pauses in a
 * phase (reported per cycle; NaN when the server runs without the GC log).
 */
export async function measureHeldStreams(
  base: string,
  pid: number | undefined,
  alice: SeededAgent,
  pair: string,
  idle: SeededAgent[],
  n: Pick<EventsSettings, "streams" | "rateSeconds" | "rateCycles">,
  log: (line: string) => void = console.log,
  /** Called after each send phase, settling ones included (traces: `held-streams.ts --trace`). */
  onPhase?: (cycle: number, phase: string, rate: SendRate) => void,
  gc: GcWindow = () => ({ ms: Number.NaN, scavenges: Number.NaN }),
): Promise<Pick<EventsResults, "throughput" | "heldStreams">> {
  // A B B A, `rateCycles` times: each cycle sends without streams, opens them, sends twice with
  // them held, closes them and sends without again, so a drift over the run (the conversation
  // and the WAL grow) counts on both sides; several cycles keep one noisy round from deciding.
  // The streams are held by a child process, not by this one, so the sending client is the
  // same with and without them; the server's CPU per send is reported next to the rate.
  //
  // Equal conditions for both sides (issue 18, bench/README.md "Instruments: held streams and
  // the 1 M row"): opening 1,000 streams leaves work behind (their state is promoted by the next
  // scavenges, their set-up garbage collected) and closing them leaves their teardown, and
  // whichever phase came first after the switch paid it: the first "with" phase cost more
  // server CPU per send than the second in 13 of 15 traced cycles. So every switch is followed
  // by unmeasured sends (`settle`: half a phase and, when the server logs its GC, until two
  // scavenges have run since the switch, which promotes what survives it; at most two phases)
  // before the measured phase, on both sides; the send path is warmed before cycle 1 (it was
  // cold: cycle 1's first "without" phase cost 1.3–1.5× the CPU per send of the later ones); and
  // the RSS and idle-CPU measurement (5 s of idle streams) has a hold of its own before the
  // cycles, so every cycle has the same timing (cycle 1 had 5 s of idle streams before its
  // "with" phases, the others 0.5 s).
  const half = n.rateSeconds / 2;
  const settle = half / 2;
  const phase = async (cycle: number, name: string, seconds: number) => {
    const r = await sendRate(base, alice, pair, seconds, pid);
    onPhase?.(cycle, name, r);
    return r;
  };
  const settleAfterSwitch = async (cycle: number) => {
    const since = Date.now();
    for (;;) {
      await phase(cycle, "settle", settle / 2);
      const elapsed = (Date.now() - since) / 1000;
      const { scavenges } = gc(since, Date.now());
      if (elapsed >= 4 * settle) break;
      if (elapsed >= settle && !(scavenges < 2)) break; // NaN (no GC log): time alone
    }
  };
  await phase(-1, "warm-up", n.rateSeconds);
  const held = await holdStreams(base, pid, idle, n.streams, n.rateSeconds);
  await held.close();
  await settleAfterSwitch(-1);
  let sum0 = 0;
  let sum1 = 0;
  const cycles: RateCycle[] = [];
  for (let cycle = 0; cycle < n.rateCycles; cycle++) {
    const before = await phase(cycle, "without", half);
    const hold = await holdStreams(base, pid, idle, n.streams, 0.5);
    await settleAfterSwitch(cycle);
    const with1 = await phase(cycle, "with", half);
    const with2 = await phase(cycle, "with", half);
    await hold.close();
    await settleAfterSwitch(cycle);
    const after = await phase(cycle, "without", half);
    const without = before.perSecond + after.perSecond;
    const withStreams = with1.perSecond + with2.perSecond;
    sum0 += without;
    sum1 += withStreams;
    const cpu0 = (before.serverCpuUs + after.serverCpuUs) / 2;
    const cpu1 = (with1.serverCpuUs + with2.serverCpuUs) / 2;
    const gcOf = (r: SendRate) => gc(r.startedAt, r.endedAt).ms;
    const gc0 = gcOf(before) + gcOf(after);
    const gc1 = gcOf(with1) + gcOf(with2);
    cycles.push({
      ratio: withStreams / without,
      serverCpuUsWithout: cpu0,
      serverCpuUsWith: cpu1,
      serverGcMsWithout: gc0,
      serverGcMsWith: gc1,
      phases: [before, with1, with2, after].map((r, i) => ({
        with: i === 1 || i === 2,
        perSecond: r.perSecond,
        serverCpuUs: r.serverCpuUs,
        serverGcMs: gcOf(r),
      })),
    });
    const gcText = Number.isNaN(gc0) ? "" : `, server GC ${gc0.toFixed(0)} → ${gc1.toFixed(0)} ms`;
    log(
      `events: cycle ${cycle + 1}: ${(withStreams / without).toFixed(2)}× sends/s, server CPU ${cpu0.toFixed(0)} → ${cpu1.toFixed(0)} µs/send${gcText}`,
    );
  }
  const rate0 = sum0 / (2 * n.rateCycles);
  const rate1 = sum1 / (2 * n.rateCycles);
  const throughput: EventsResults["throughput"] = {
    streams: n.streams,
    idle0: rate0,
    idleHeld: rate1,
    ratio: rate1 / rate0,
    cycles,
  };
  const heldStreams: EventsResults["heldStreams"] = {
    streams: n.streams,
    extraRssMb: held.rssHeldMb - held.rssBeforeMb,
    idleCpuPct: held.idleCpuPct,
  };
  return { throughput, heldStreams };
}

const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

/** The issue's goals for the Events feed, checked against `r`. */
export function eventsTargets(r: EventsResults): TargetCheck[] {
  const under = (name: string, l: Latency | undefined, limit: number): TargetCheck => ({
    name,
    measured: l ? `${ms(l.p99)} ms` : "not measured",
    required: `< ${limit} ms`,
    pass: l !== undefined && l.p99 < limit,
  });
  const pg = r.postgresTwoInstances;
  return [
    under("Events: SQLite send → held long-poll, p99", r.sqlite.longPoll, 10),
    under("Events: SQLite send → SSE stream, p99", r.sqlite.sse, 10),
    under("Events: PostgreSQL instance 1 → long-poll on 2, p99", pg?.longPoll, 50),
    under("Events: PostgreSQL instance 1 → SSE on 2, p99", pg?.sse, 50),
    {
      name: `Events: send rate with ${r.throughput.streams.toLocaleString("en-US")} idle streams ÷ without`,
      measured: `${r.throughput.ratio.toFixed(2)}× (cycles ${r.throughput.cycles.map((c) => c.ratio.toFixed(2)).join(", ")})`,
      required: "≥ 0.90× in every cycle",
      pass: r.throughput.cycles.every((c) => c.ratio >= 0.9),
    },
  ];
}

/** The Events section of results/latest.md (its targets included). */
export function renderEventsMarkdown(r: EventsResults, enforced: boolean): string {
  const lines: string[] = [];
  const row = (what: string, l: Latency) =>
    `| ${what} | ${l.rounds} | ${ms(l.p50)} | ${ms(l.p99)} |`;
  lines.push(
    "## Events (preview): delivery latency",
    "",
    `send → event parsed by the client; long-poll and SSE rounds alternate in blocks, each send after ${r.settings.gapMs} ms idle (the long-poll is re-issued and held meanwhile); the send's own round trip is its own row.`,
    "",
    "| path | rounds | p50 ms | p99 ms |",
    "|---|---:|---:|---:|",
    row("SQLite, held long-poll", r.sqlite.longPoll),
    row("SQLite, SSE stream", r.sqlite.sse),
    row("SQLite, the send's own 201", r.sqlite.sendAck),
  );
  const pg = r.postgresTwoInstances;
  if (pg) {
    lines.push(
      row("PostgreSQL, send via instance 1 → long-poll on 2", pg.longPoll),
      row("PostgreSQL, send via instance 1 → SSE on 2", pg.sse),
      row("PostgreSQL, the send's own 201", pg.sendAck),
    );
  } else {
    lines.push(`| PostgreSQL | – | not measured: ${r.postgresError ?? "unavailable"} | |`);
  }
  lines.push(row("SQLite, 100-member group, send → all 100 streams", r.fanOut100));
  const t = r.throughput;
  const h = r.heldStreams;
  lines.push(
    "",
    "## Events: held connections and fan-out cost",
    "",
    "| measure | value |",
    "|---|---:|",
    `| sends/s, no streams held (rounds before holding them and after closing them) | ${Math.round(t.idle0)} |`,
    `| sends/s, ${t.streams.toLocaleString("en-US")} idle streams held (from another process) | ${Math.round(t.idleHeld)} (${t.ratio.toFixed(2)}×; A B B A cycles ${t.cycles.map((c) => `${c.ratio.toFixed(2)}×`).join(", ")}) |`,
    `| server CPU µs per send, without → with the streams, per cycle | ${t.cycles.map((c) => `${c.serverCpuUsWithout.toFixed(0)} → ${c.serverCpuUsWith.toFixed(0)}`).join(", ")} |`,
    `| server GC pauses ms, without → with the streams (two phases each), per cycle | ${t.cycles.map((c) => `${c.serverGcMsWithout.toFixed(0)} → ${c.serverGcMsWith.toFixed(0)}`).join(", ")} |`,
    `| extra RSS of ${h.streams.toLocaleString("en-US")} held streams | ${h.extraRssMb.toFixed(1)} MB |`,
    `| server CPU while they idle (keep-alives: ${(h.streams / 15).toFixed(0)} writes/s at one per 15 s) | ${h.idleCpuPct.toFixed(1)} % |`,
    "",
    "Store floor, µs per send (in-process SQLite): the event writes alone, per design, and a whole `sendMessage` with them.",
    "",
    "| members | per-recipient rows (PostgreSQL) | one row, recipients in it (SQLite, chosen) | whole send |",
    "|---:|---:|---:|---:|",
  );
  for (const f of r.fanoutCost) {
    lines.push(
      `| ${f.members} | ${f.perRecipientUs.toFixed(0)} | ${f.perConversationUs.toFixed(0)} | ${f.sendUs.toFixed(0)} |`,
    );
  }
  if (r.positionLock) {
    lines.push(
      "",
      "## Events: PostgreSQL position lock",
      "",
      "Store-level `sendMessage` (with its events and NOTIFY), each sender in its own conversation, rounds alternating between a store as shipped and one with `pg_advisory_xact_lock` dropped (bench-only switch; without it positions can become visible out of order).",
      "",
      "| senders | sends/s with the lock | without | with ÷ without |",
      "|---:|---:|---:|---:|",
    );
    for (const l of r.positionLock) {
      lines.push(
        `| ${l.senders} | ${Math.round(l.lockedPerSecond)} | ${Math.round(l.unlockedPerSecond)} | ${l.ratio.toFixed(2)}× |`,
      );
    }
  }
  lines.push(
    "",
    `## Events targets${enforced ? "" : " (quick mode: reported, not enforced)"}`,
    "",
    "| target | measured | required | result |",
    "|---|---:|---:|---|",
  );
  for (const c of eventsTargets(r)) {
    lines.push(`| ${c.name} | ${c.measured} | ${c.required} | ${c.pass ? "pass" : "FAIL"} |`);
  }
  lines.push("", `Events part: ${r.seconds.toFixed(0)} s.`, "");
  return lines.join("\n");
}
