/**
 * Issue 18 helper (round 5, the send's pipeline): two server builds, the store floor and bare Hono
 * on an authenticated SQLite send, in alternating rounds (A B floor bare, then bare floor B A), so
 * all see the same machine load. Per round and side: req/s, process CPU µs per request and its
 * split into the main thread and the other threads (the WAL checkpoint worker, GC helpers, the
 * libuv pool), read from /proc/<pid>/task. The floor runs the store of build B (`--store`).
 *
 *   tsx src/send-pipeline-ab.ts <dist A> <dist B> [rounds] [seconds]
 *
 * A dist dir is a copy of apps/server/dist inside apps/server (so its imports resolve).
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import autocannon from "autocannon";
import { median, threadCpu } from "./cpu.js";
import { capture, startBare } from "./measure.js";
import { seedAgent, seedConversation, sendMessages } from "./seed.js";
import { type RunningServer, repoRoot, startProcess } from "./server-process.js";

const [a, b, roundsArg, secondsArg] = process.argv.slice(2);
if (!a || !b) throw new Error("usage: send-pipeline-ab.ts <dist A> <dist B> [rounds] [seconds]");
const rounds = Number(roundsArg ?? 6);
const seconds = Number(secondsArg ?? 4);

function start(dist: string, db: string): Promise<RunningServer> {
  return startProcess({
    args: [join(resolve(dist), "cli.js"), "--port", "0", "--db", db, "--token-ttl", "3600"],
    env: { FLUXRA_RATE_LIMITS: "off" },
  });
}

const dir = mkdtempSync(join(os.tmpdir(), "fluxra-sendpipe-"));
const servers: Record<string, RunningServer> = {
  A: await start(a, join(dir, "a.db")),
  B: await start(b, join(dir, "b.db")),
};
const requests: Record<string, { path: string; headers: Record<string, string>; body: string }> =
  {};
const body = JSON.stringify({
  content: "benchmark message: the quick brown fox jumps over the lazy dog",
});
let floorAgent = "";
for (const k of ["A", "B"]) {
  const url = (servers[k] as RunningServer).url;
  const agent = await seedAgent(url, `bench_${k}`);
  const conv = await seedConversation(url, agent, "bench", []);
  for (let i = 1; i < 20; i++) await seedConversation(url, agent, `other ${i}`, []);
  await sendMessages(url, agent, conv, 60);
  requests[k] = {
    path: `/api/conversations/${conv}/messages`,
    headers: { authorization: `Bearer ${agent.accessToken}`, "content-type": "application/json" },
    body,
  };
  if (k === "B") {
    floorAgent = agent.id;
    const captured = await capture(url, [
      {
        name: "send",
        pattern: "/api/conversations/:id/messages",
        call: {
          method: "POST",
          path: requests["B"]?.path as string,
          headers: { authorization: `Bearer ${agent.accessToken}` },
          body: JSON.parse(body),
        },
      } as never,
    ]);
    servers["bare"] = await startBare(dir, captured);
  }
}
requests["floor"] = requests["B"] as (typeof requests)["B"];
requests["bare"] = requests["B"] as (typeof requests)["B"];
const bench = join(repoRoot, "bench");
servers["floor"] = await startProcess({
  args: [
    "--import",
    "tsx",
    join(bench, "src", "store-floor-server.ts"),
    join(dir, "b.db"),
    floorAgent,
    "--store",
    join(resolve(b), "index.js"),
  ],
  cwd: bench,
});

interface Row {
  rps: number;
  cpu: number;
  main: number;
  rest: number;
}
const results: Record<string, Row[]> = {};
async function once(k: string): Promise<Row> {
  const s = servers[k] as RunningServer;
  const req = { method: "POST" as const, ...(requests[k] as (typeof requests)["A"]) };
  const base = { url: s.url, connections: 10, requests: [req] };
  await autocannon({ ...base, duration: 1 });
  const pid = s.child.pid as number;
  const before = threadCpu(pid);
  const started = performance.now();
  const r = await autocannon({ ...base, duration: seconds });
  const elapsed = (performance.now() - started) / 1000;
  const after = threadCpu(pid);
  const n = r.requests.total;
  if (r.non2xx + r.errors + r.timeouts > 0) throw new Error(`${k}: failures`);
  const main = ((after.main - before.main) * 1e6) / n;
  const rest = ((after.rest - before.rest) * 1e6) / n;
  return { rps: n / elapsed, cpu: main + rest, main, rest };
}
const fmt = (r: Row) =>
  `${Math.round(r.rps)} req/s ${r.cpu.toFixed(0)} µs (main ${r.main.toFixed(0)}, other ${r.rest.toFixed(0)})`;
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ["A", "B", "floor", "bare"] : ["bare", "floor", "B", "A"];
  for (const k of order) {
    const r = await once(k);
    results[k] ??= [];
    results[k].push(r);
    console.log(`round ${round} ${k}: ${fmt(r)}  load ${os.loadavg()[0]?.toFixed(1)}`);
  }
}
const med = (k: string, f: keyof Row) => median((results[k] ?? []).map((r) => r[f]));
console.log("\nmedians (CPU µs/request: process, main thread, other threads)");
for (const k of ["A", "B", "floor", "bare"]) {
  console.log(
    `${k}: ${Math.round(med(k, "rps"))} req/s ${med(k, "cpu").toFixed(1)} (${med(k, "main").toFixed(1)}, ${med(k, "rest").toFixed(1)})`,
  );
}
const A = results["A"] ?? [];
const B = results["B"] ?? [];
console.log(
  `B/A cpu per round: ${A.map((r, i) => ((B[i]?.cpu ?? 0) / r.cpu).toFixed(2)).join(" ")}`,
);
console.log(
  `B/A main per round: ${A.map((r, i) => ((B[i]?.main ?? 0) / r.main).toFixed(2)).join(" ")}`,
);
for (const k of ["A", "B"]) {
  console.log(
    `bare/${k} cpu ${(med("bare", "cpu") / med(k, "cpu")).toFixed(3)}; floor/${k} cpu ${(med("floor", "cpu") / med(k, "cpu")).toFixed(3)}`,
  );
}
await Promise.all(Object.values(servers).map((s) => s.stop()));
