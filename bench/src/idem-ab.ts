/**
 * Issue 18 helper: keyed sends (`POST …/messages` with a fresh `Idempotency-Key` per request, what
 * the SDK sends) against plain sends, A/B of two server builds in one run, alternating short
 * autocannon rounds (A B, then B A) so both see the same machine load; or a CPU profile of one.
 *
 *   tsx src/idem-ab.ts ab <dist A> <dist B> [rounds] [seconds] [sendkey,send]
 *   tsx src/idem-ab.ts profile <dist dir> <out dir> [sendkey]
 *
 * A dist dir is a copy of apps/server/dist inside apps/server (so its imports resolve).
 */
import { mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median } from "./cpu.js";
import { type Call, drive, type LoadResult } from "./load.js";
import { topSelfTime } from "./profile.js";
import { seedAgent, seedConversation, sendMessages } from "./seed.js";
import { type RunningServer, repoRoot, startProcess } from "./server-process.js";

const [mode, ...rest] = process.argv.slice(2);

function start(dist: string, db: string, flags: string[] = []): Promise<RunningServer> {
  return startProcess({
    args: [join(resolve(dist), "cli.js"), "--port", "0", "--db", db, "--token-ttl", "3600"],
    env: { FLUXRA_RATE_LIMITS: "off" },
    nodeFlags: flags,
  });
}

/** The two calls: `send` without a key, `sendkey` with a fresh key per request. */
async function seed(url: string, tag: string): Promise<Record<string, [Call, boolean]>> {
  const agent = await seedAgent(url, `bench_${tag}`);
  const conv = await seedConversation(url, agent, "bench", []);
  await sendMessages(url, agent, conv, 60);
  const send: Call = {
    method: "POST",
    path: `/api/conversations/${conv}/messages`,
    headers: { authorization: `Bearer ${agent.accessToken}` },
    body: { content: "benchmark message: the quick brown fox jumps over the lazy dog" },
  };
  return { send: [send, false], sendkey: [send, true] };
}

const fmt = (r: LoadResult) =>
  `${Math.round(r.rps)} req/s ${r.cpuUsPerRequest.toFixed(0)} µs/req p99 ${r.p99Ms} ms`;
const load1 = () => loadavg()[0]?.toFixed(1);

if (mode === "profile") {
  const [dist, out] = rest as [string, string];
  const dir = mkdtempSync(join(tmpdir(), "fluxra-idem-prof-"));
  const server = await start(dist, join(dir, "p.db"), ["--cpu-prof", "--cpu-prof-dir", out]);
  const calls = await seed(server.url, "p");
  const load = { connections: 10, durationSeconds: 10, warmupSeconds: 2 };
  for (const name of (rest[2] ?? "sendkey").split(",")) {
    const [call, keyed] = calls[name] as [Call, boolean];
    const r = await drive(server.url, call, load, keyed, server.child.pid);
    console.log(name, fmt(r), "failures", r.failures);
  }
  await server.stop();
  for (const f of topSelfTime(out, repoRoot, 45)) {
    console.log(`${f.selfPct.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
  }
} else if (mode === "ab") {
  const [a, b] = rest as [string, string];
  const rounds = Number(rest[2] ?? 6);
  const seconds = Number(rest[3] ?? 5);
  const names = (rest[4] ?? "sendkey,send").split(",");
  const dir = mkdtempSync(join(tmpdir(), "fluxra-idem-ab-"));
  const servers = { A: await start(a, join(dir, "a.db")), B: await start(b, join(dir, "b.db")) };
  const seeded = { A: await seed(servers.A.url, "a"), B: await seed(servers.B.url, "b") };
  const load = { connections: 10, durationSeconds: seconds, warmupSeconds: 1 };
  const results: Record<string, LoadResult[]> = {};
  const loads: string[] = [];
  for (let round = 0; round < rounds; round++) {
    loads.push(load1() ?? "?");
    for (const name of names) {
      const order = round % 2 === 0 ? (["A", "B"] as const) : (["B", "A"] as const);
      for (const k of order) {
        const [call, keyed] = seeded[k][name] as [Call, boolean];
        const r = await drive(servers[k].url, call, load, keyed, servers[k].child.pid);
        if (r.failures > 0) throw new Error(`${name} ${k}: ${r.failures} failures`);
        const key = `${name} ${k}`;
        results[key] ??= [];
        results[key].push(r);
        console.log(`round ${round} ${key}: ${fmt(r)} (load ${load1()})`);
      }
    }
  }
  console.log(`\nload average (1 min) at each round: ${loads.join(" ")}; at end ${load1()}`);
  console.log("medians (and per-round B/A ratios)");
  for (const name of names) {
    const A = results[`${name} A`] ?? [];
    const B = results[`${name} B`] ?? [];
    const med = (xs: LoadResult[], f: (r: LoadResult) => number) => median(xs.map(f));
    const cpuRatio = A.map((r, i) => (B[i]?.cpuUsPerRequest ?? 0) / r.cpuUsPerRequest);
    const rpsRatio = A.map((r, i) => (B[i]?.rps ?? 0) / r.rps);
    console.log(
      `${name}: A ${Math.round(med(A, (r) => r.rps))} req/s ${med(A, (r) => r.cpuUsPerRequest).toFixed(0)} µs p99 ${med(A, (r) => r.p99Ms)} ms; ` +
        `B ${Math.round(med(B, (r) => r.rps))} req/s ${med(B, (r) => r.cpuUsPerRequest).toFixed(0)} µs p99 ${med(B, (r) => r.p99Ms)} ms; ` +
        `B/A cpu ${cpuRatio.map((x) => x.toFixed(2)).join(" ")}; B/A rps ${rpsRatio.map((x) => x.toFixed(2)).join(" ")}`,
    );
  }
  await Promise.all([servers.A.stop(), servers.B.stop()]);
}
