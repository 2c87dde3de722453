/**
 * System calls per message send of two server builds, counted by `strace -f -c` attached to the
 * running server (all its threads) while autocannon sends a fixed number of messages over 10
 * connections: a count the machine's load moves much less than CPU time (it still moves the
 * batch sizes, so the group commit's share per send varies a little). Shows where a lever saves
 * kernel work (file locks, WAL writes), which instruction counts do not see.
 *
 *   tsx src/send-syscalls.ts <dist A> <dist B> [sends] [rounds]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import autocannon from "autocannon";
import { seedAgent, seedConversation } from "./seed.js";
import { startProcess } from "./server-process.js";

const [distA, distB, sendsArg = "3000", roundsArg = "2"] = process.argv.slice(2);
if (!distA || !distB) throw new Error("usage: send-syscalls.ts <dist A> <dist B> [sends] [rounds]");
const dir = mkdtempSync(join(tmpdir(), "fluxra-syscalls-"));
const sends = Number(sendsArg);

async function counted(dist: string, tag: string): Promise<Map<string, number>> {
  const server = await startProcess({
    args: [join(resolve(dist), "cli.js"), "--port", "0", "--db", join(dir, `${tag}.db`)],
    env: { FLUXRA_RATE_LIMITS: "off" },
  });
  try {
    const agent = await seedAgent(server.url, `bench_${tag}`);
    const conv = await seedConversation(server.url, agent, "bench", []);
    const request = {
      method: "POST" as const,
      path: `/api/conversations/${conv}/messages`,
      headers: {
        authorization: `Bearer ${agent.accessToken}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        content: "benchmark message: the quick brown fox jumps over the lazy dog",
      }),
    };
    const run = (amount: number) =>
      autocannon({ url: server.url, connections: 10, amount, requests: [request] });
    await run(1000);
    const out = join(dir, `${tag}.strace`);
    const strace = spawn("strace", ["-f", "-c", "-o", out, "-p", String(server.child.pid)], {
      stdio: "ignore",
    });
    await new Promise((ok) => setTimeout(ok, 1000));
    const result = await run(sends);
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${tag}: failures`);
    const exited = new Promise((ok) => strace.once("exit", ok));
    strace.kill("SIGINT");
    await exited;
    const calls = new Map<string, number>();
    for (const line of readFileSync(out, "utf8").split("\n")) {
      const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
      if (m && m[2] !== "total") calls.set(m[2] as string, Number(m[1]) / sends);
    }
    return calls;
  } finally {
    await server.stop();
  }
}

const all: Record<"A" | "B", Map<string, number>[]> = { A: [], B: [] };
for (let r = 0; r < Number(roundsArg); r++) {
  const order: ["A" | "B", string][] = [
    ["A", distA],
    ["B", distB],
  ];
  if (r % 2 === 1) order.reverse();
  for (const [name, dist] of order) all[name].push(await counted(dist, `${name}${r}`));
}
const names = new Set([...all.A, ...all.B].flatMap((m) => [...m.keys()]));
const fmt = (ms: Map<string, number>[], k: string) =>
  ms.map((m) => (m.get(k) ?? 0).toFixed(2)).join(" / ");
const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
console.log(`system calls per send (${sends} sends, 10 connections; per round)`);
for (const k of [...names].sort((a, b) => (all.A[0]?.get(b) ?? 0) - (all.A[0]?.get(a) ?? 0))) {
  if ((all.A[0]?.get(k) ?? 0) < 0.05 && (all.B[0]?.get(k) ?? 0) < 0.05) continue;
  console.log(`${k.padEnd(16)} A ${fmt(all.A, k)}   B ${fmt(all.B, k)}`);
}
console.log(
  `${"total".padEnd(16)} A ${all.A.map((m) => total(m).toFixed(2)).join(" / ")}   B ${all.B.map((m) => total(m).toFixed(2)).join(" / ")}`,
);
