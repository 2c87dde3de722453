import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchResults } from "./src/report.js";

/**
 * Runs `pnpm bench --quick` for real (server CLI, bare Hono, autocannon, SDK, bulk seeding,
 * start-up) into a temp folder and checks that every figure is produced. Speed is never
 * asserted here: the quick run's numbers are meaningless, only its shape is checked.
 */
const out = mkdtempSync(join(tmpdir(), "fluxra-bench-test-"));
let results: BenchResults;
let markdown: string;
let stdout: string;
let benchPid: number | undefined;

beforeAll(async () => {
  const running = promisify(execFile)(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "run.ts"), "--quick", "--out", out],
    { cwd: import.meta.dirname, maxBuffer: 16 * 1024 * 1024 },
  );
  benchPid = running.child.pid;
  const run = await running;
  stdout = run.stdout;
  results = JSON.parse(readFileSync(join(out, "latest.json"), "utf8")) as BenchResults;
  markdown = readFileSync(join(out, "latest.md"), "utf8");
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

const routes = [
  "POST /api/auth/token",
  "POST …/messages",
  "POST …/messages + Idempotency-Key",
  "GET …/messages",
  "GET /api/conversations",
];
const calls = [
  "POST /api/auth/token",
  "POST …/messages",
  "GET …/messages",
  "GET /api/conversations",
];

describe("pnpm bench --quick", () => {
  it("measures every route on the reference server and on the bare ceiling", () => {
    expect(results.throughput.map((t) => t.route)).toEqual(routes);
    for (const t of results.throughput) {
      expect(t.fluxra.requests).toBeGreaterThan(0);
      expect(t.bare.requests).toBeGreaterThan(0);
      expect(t.fluxra.failures).toBe(0);
      expect(t.ratio).toBeGreaterThan(0);
      expect(markdown).toContain(`| ${t.route} |`);
    }
  });

  it("measures the store floor for message send and list", () => {
    const withFloor = results.throughput.filter((t) => t.floor !== null).map((t) => t.route);
    expect(withFloor).toEqual(["POST …/messages", "GET …/messages"]);
    for (const t of results.throughput) expect(t.floor?.failures ?? 0).toBe(0);
    expect(markdown).toContain("## Where the gap is: the store floor");
  });

  it("compares raw fetch and the SDK for every call, in three measured passes", () => {
    expect(results.client.map((c) => c.call)).toEqual(calls);
    for (const c of results.client) {
      expect(Number.isFinite(c.overhead)).toBe(true);
      expect(markdown).toContain(`| ${c.call} |`);
      expect(c.passes).toHaveLength(3);
      // The row's figure is its worst pass: the target has to hold in every one.
      expect(c.overhead).toBe(Math.max(...c.passes.map((p) => p.overhead)));
    }
    const target = results.targets.find((t) => t.name.startsWith("SDK overhead"));
    expect(target?.measured.split(" / ")).toHaveLength(3);
    // After a warm-up pass; the first calls of fresh processes are reported on their own.
    expect(results.settings.clientWarmup).toBeGreaterThan(0);
    expect(results.clientCold?.rows.map((c) => c.call)).toEqual(calls);
    expect(markdown).toContain("Cold (not in the target): the first");
    expect(markdown).toMatch(/\*\*[-\d.]+ %\*\* \([-\d.]+ %\), CPU [\d,]+ → [\d,]+/);
  });

  it("measures send and list on PostgreSQL against SQLite, and two instances against one", () => {
    expect(results.postgres.error).toBeUndefined();
    expect(results.postgres.rows.map((r) => r.route)).toEqual([
      "POST …/messages",
      "GET …/messages",
    ]);
    for (const r of results.postgres.rows) {
      for (const run of [r.postgres, r.twoInstances]) {
        expect(run.requests).toBeGreaterThan(0);
        expect(run.failures).toBe(0);
        expect(run.cpuUsPerRequest).toBeGreaterThan(0);
        expect(run.pgCpuUsPerRequest).toBeGreaterThan(0);
      }
      expect(r.postgres.instances).toBe(1);
      expect(r.twoInstances.instances).toBe(2);
      expect(r.ratio).toBeCloseTo(r.postgres.rps / r.sqlite.rps, 10);
      expect(markdown).toContain(
        `| ${r.route} | ${Math.round(r.sqlite.rps).toLocaleString("en-US")} |`,
      );
    }
    expect(markdown).toContain("## PostgreSQL backend");
    expect(results.targets.filter((t) => t.name.startsWith("PostgreSQL"))).toHaveLength(2);
    // The run's own database is gone afterwards (named after the bench process).
    const left = execFileSync("psql", [
      process.env["FLUXRA_BENCH_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test",
      "-XAtc",
      `SELECT count(*) FROM pg_database WHERE datname LIKE 'fluxra_bench_${benchPid}_%'`,
    ]);
    expect(benchPid).toBeGreaterThan(0);
    expect(String(left).trim()).toBe("0");
  });

  it("seeds three growing conversation sizes and measures list latency at each", () => {
    expect(results.scale.map((s) => s.messages)).toEqual([1_000, 2_000, 5_000]);
    for (const s of results.scale) {
      expect(s.list.requests).toBeGreaterThan(0);
      expect(Number.isFinite(s.ratio)).toBe(true);
      // Every size served by its own CLI, in alternating rounds, with the server's CPU beside it.
      expect(s.list.cpuUsPerRequest).toBeGreaterThan(0);
      expect(markdown).toContain(`| ${s.messages.toLocaleString("en-US")} |`);
    }
    expect(markdown).toContain("| server CPU µs/request |");
  });

  it("starts the CLI on the existing database", () => {
    expect(results.startup.runs).toBe(1);
    expect(results.startup.healthMs).toBeGreaterThanOrEqual(results.startup.listeningMs);
    expect(markdown).toContain("## Start-up on an existing database");
  });

  it("reports issue 18's targets without enforcing them, and prints the table", () => {
    const names = results.targets.map((t) => t.name).join("\n");
    for (const goal of [
      "message send ≥ 40 % of bare Hono",
      "message list ≥ 50 % of bare Hono",
      "conversation list (20 conversations, one with 80 k unread) ≥ 25 % of bare Hono",
      "token exchange ≥ 15 % of bare Hono",
      "reference server ≥ 80 % of its own store floor, message send",
      "reference server ≥ 80 % of its own store floor, message list",
      "two PostgreSQL instances ÷ one, POST …/messages",
      "SDK overhead ≤ 5 %",
    ]) {
      expect(names).toContain(goal);
    }
    expect(results.targets).toHaveLength(13);
    expect(results.targetsEnforced).toBe(false);
    for (const t of results.targets) expect(markdown).toContain(`| ${t.name} |`);
    expect(stdout).toContain("## Throughput against the bare Hono ceiling");
    expect(results.machine.loadAverageStart).toHaveLength(3);
  });

  it("measures the Events feed: both transports alike, held streams, fan-out, PostgreSQL", () => {
    const ev = results.events;
    for (const d of [ev.sqlite, ev.postgresTwoInstances]) {
      expect(d).not.toBeNull();
      expect(d?.longPoll.rounds).toBe(20);
      expect(d?.sse.rounds).toBe(d?.longPoll.rounds);
      for (const l of [d?.longPoll, d?.sse, d?.sendAck]) {
        expect(l?.p99).toBeGreaterThanOrEqual(l?.p50 ?? Number.NaN);
        expect(l?.p50).toBeGreaterThan(0);
      }
    }
    expect(ev.throughput.idle0).toBeGreaterThan(0);
    expect(ev.throughput.idleHeld).toBeGreaterThan(0);
    expect(ev.heldStreams.streams).toBe(100);
    // Each cycle's four measured phases (without, with, with, without), with the server's GC
    // pauses from its GC log (a number, not NaN: the log is read).
    for (const c of ev.throughput.cycles) {
      expect(c.phases.map((p) => p.with)).toEqual([false, true, true, false]);
      for (const p of c.phases) expect(p.serverGcMs).toBeGreaterThanOrEqual(0);
      expect(c.serverGcMsWith).toBeGreaterThanOrEqual(0);
      expect(c.serverGcMsWithout).toBeGreaterThanOrEqual(0);
    }
    expect(markdown).toContain("| server GC pauses ms, without → with the streams");
    expect(ev.fanOut100.p50).toBeGreaterThan(0);
    expect(ev.fanoutCost.map((f) => f.members)).toEqual([2, 100]);
    expect(ev.positionLock?.map((l) => l.senders)).toEqual([1, 4]);
    for (const l of ev.positionLock ?? []) {
      expect(l.lockedPerSecond).toBeGreaterThan(0);
      expect(l.unlockedPerSecond).toBeGreaterThan(0);
    }
    expect(markdown).toContain("## Events (preview): delivery latency");
    expect(markdown).toContain("## Events: PostgreSQL position lock");
    expect(markdown).toContain("## Events targets (quick mode: reported, not enforced)");
    expect(markdown).toContain("| Events: SQLite send → held long-poll, p99 |");
  });
});
