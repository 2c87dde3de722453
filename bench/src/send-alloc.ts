/**
 * Issue 18 helper (round 6, the send): what a SQLite send allocates, by allocating function, for
 * a server build and the store floor on its database. Each process runs V8's sampling heap
 * profiler in-process (`heap-sampling-preload.cjs`, keeping objects that minor and major GCs
 * collected, so the profile is the allocation, not what survives), started after a warm-up and
 * stopped after `amount` sends over 10 connections. Allocation per request is deterministic,
 * so the machine's load does not move it.
 *
 *   tsx src/send-alloc.ts <dist> [amount] [top]
 *
 * A dist dir is a copy of apps/server/dist inside apps/server (so its imports resolve).
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import autocannon from "autocannon";
import { startSendServer } from "./send-server.js";
import { type RunningServer, repoRoot, startProcess } from "./server-process.js";

const [dist, amountArg, topArg] = process.argv.slice(2);
if (!dist) throw new Error("usage: send-alloc.ts <dist> [amount] [top]");
const amount = Number(amountArg ?? 20000);
const top = Number(topArg ?? 25);
const dir = mkdtempSync(join(os.tmpdir(), "fluxra-alloc-"));
const preload = join(repoRoot, "bench", "src", "heap-sampling-preload.cjs");

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: Node[];
}

async function profile(name: string, s: RunningServer, req: object): Promise<void> {
  await autocannon({ url: s.url, connections: 10, duration: 3, requests: [req as never] });
  const pid = s.child.pid as number;
  process.kill(pid, "SIGWINCH");
  await new Promise((ok) => setTimeout(ok, 300));
  const r = await autocannon({ url: s.url, connections: 10, amount, requests: [req as never] });
  if (r.non2xx + r.errors > 0) throw new Error(`${name}: failures`);
  process.kill(pid, "SIGUSR2");
  const file = join(dir, `${name}.heapprofile`);
  for (let waited = 0; !existsSync(file) && waited < 30_000; waited += 200) {
    await new Promise((ok) => setTimeout(ok, 200));
  }
  await new Promise((ok) => setTimeout(ok, 500));
  const root = JSON.parse(readFileSync(join(dir, `${name}.heapprofile`), "utf8")).head as Node;
  const self = new Map<string, number>();
  let total = 0;
  const walk = (n: Node, stack: string[]) => {
    const f = n.callFrame;
    const file = f.url.split("/").slice(-2).join("/");
    const here = `${f.functionName || "(anon)"} ${file}:${f.lineNumber + 1}`;
    if (n.selfSize > 0) {
      // The allocating frame and its caller: a builtin alone says little.
      const key = `${here}  <  ${stack.at(-1) ?? ""}`;
      self.set(key, (self.get(key) ?? 0) + n.selfSize);
      total += n.selfSize;
    }
    for (const c of n.children) walk(c, [...stack, here]);
  };
  walk(root, []);
  const n = r.requests.total;
  console.log(`\n${name}: ${n} sends, ${(total / n).toFixed(0)} bytes sampled per send`);
  for (const [k, v] of [...self].sort((x, y) => y[1] - x[1]).slice(0, top)) {
    console.log(`${(v / n).toFixed(0).padStart(7)}  ${k}`);
  }
}

const { server, agent, req } = await startSendServer(dist, join(dir, "s.db"), "alloc", {
  env: { HEAP_OUT: join(dir, "server.heapprofile") },
  nodeFlags: ["--require", preload],
  warm: 60,
});
await profile("server", server, req);
const bench = join(repoRoot, "bench");
const floor = await startProcess({
  args: [
    "--require",
    preload,
    "--import",
    "tsx",
    join(bench, "src", "store-floor-server.ts"),
    join(dir, "s.db"),
    agent.id,
    "--store",
    join(resolve(dist), "index.js"),
  ],
  env: { HEAP_OUT: join(dir, "floor.heapprofile") },
  cwd: bench,
});
await profile("floor", floor, req);
await Promise.all([server.stop(), floor.stop()]);
