/**
 * Issue 18 helper (round 6, the send): a server build's CPU per SQLite send split by thread
 * (main, the WAL checkpoint worker, V8's GC helpers, libuv's pool), read from
 * /proc/<pid>/task/<tid>/{comm,stat} around `seconds` of sends over 10 connections, in `rounds`
 * rounds. The checkpoint worker is the thread whose CPU is not the main thread's and whose comm
 * is not a V8/libuv helper's.
 *
 *   tsx src/send-threads.ts <dist> [rounds] [seconds] [-- extra env A=B …]
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { startSendServer } from "./send-server.js";

const [dist, roundsArg, secondsArg, ...envArgs] = process.argv.slice(2);
if (!dist) throw new Error("usage: send-threads.ts <dist> [rounds] [seconds] [A=B …]");
const rounds = Number(roundsArg ?? 3);
const seconds = Number(secondsArg ?? 4);
const env = Object.fromEntries(envArgs.map((a) => a.split("=") as [string, string]));

function threads(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const s = (Number(f[11]) + Number(f[12])) / 100;
      const name = Number(tid) === pid ? "main" : `${comm}#${tid}`;
      out.set(name, s);
    } catch {
      // ended
    }
  }
  return out;
}

const dir = mkdtempSync(join(os.tmpdir(), "fluxra-threads-"));
const { server: s, req } = await startSendServer(dist, join(dir, "t.db"), "threads", {
  env,
  warm: 60,
});
await autocannon({ url: s.url, connections: 10, duration: 2, requests: [req] });
const pid = s.child.pid as number;
for (let r = 0; r < rounds; r++) {
  const before = threads(pid);
  const res = await autocannon({ url: s.url, connections: 10, duration: seconds, requests: [req] });
  const after = threads(pid);
  const n = res.requests.total;
  const parts: string[] = [];
  let total = 0;
  for (const [k, v] of after) {
    const us = ((v - (before.get(k) ?? 0)) * 1e6) / n;
    total += us;
    if (us >= 0.05) parts.push(`${k} ${us.toFixed(1)}`);
  }
  console.log(
    `round ${r}: ${n} sends, ${total.toFixed(1)} µs/send: ${parts.join(", ")}  load ${os.loadavg()[0]?.toFixed(1)}`,
  );
}
await s.stop();
