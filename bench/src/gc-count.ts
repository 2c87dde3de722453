/**
 * Issue 18 helper (round 5): how much a send allocates, as young-generation collections per
 * send, for one or more server builds: each build runs under `--trace-gc`, is warmed by 2 s of
 * sends, then serves 20,000 sends (10 connections) while its Scavenge lines are counted. A count
 * the machine's load does not move (allocation is deterministic per request), so it resolves
 * what CPU µs cannot on a busy machine.
 *
 *   tsx src/gc-count.ts <dist> [<dist> …]
 *
 * A dist dir is a copy of apps/server/dist inside apps/server (so its imports resolve).
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { startSendServer } from "./send-server.js";

const dists = process.argv.slice(2);
const dir = mkdtempSync(join(os.tmpdir(), "fluxra-gc-"));
for (const [i, d] of dists.entries()) {
  const { server: s, req } = await startSendServer(d, join(dir, `${i}.db`), `gc${i}`, {
    nodeFlags: ["--trace-gc"],
  });
  await autocannon({ url: s.url, connections: 10, duration: 2, requests: [req] });
  const out: string[] = [];
  s.child.stdout?.on("data", (c: Buffer) => out.push(c.toString()));
  const r = await autocannon({ url: s.url, connections: 10, amount: 20000, requests: [req] });
  await new Promise((ok) => setTimeout(ok, 200));
  const text = out.join("");
  const scav = (text.match(/Scavenge/g) ?? []).length;
  const ms = (text.match(/Mark-Compact|Mark-sweep/g) ?? []).length;
  console.log(
    `${d}: ${r.requests.total} sends, scavenges ${scav} (${(r.requests.total / Math.max(1, scav)).toFixed(0)} sends each), mark-compacts ${ms}`,
  );
  console.log(
    text
      .split("\n")
      .filter((l) => l.includes("Scavenge"))
      .slice(-2)
      .join("\n"),
  );
  await s.stop();
}
