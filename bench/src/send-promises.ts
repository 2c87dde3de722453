/**
 * Issue 18 helper (round 6, the send): promises created per SQLite send (async_hooks PROMISE
 * inits in the server process, `promise-count-preload.cjs`), for one or more server builds,
 * counted over `amount` sends on 10 connections after a warm-up. Deterministic per request
 * (the hook slows the server, not the count); each async function call and each `await` of a
 * non-promise is one.
 *
 *   tsx src/send-promises.ts <dist> [<dist> …]
 *
 * A dist dir is a copy of apps/server/dist inside apps/server (so its imports resolve).
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { startSendServer } from "./send-server.js";
import { repoRoot } from "./server-process.js";

const dists = process.argv.slice(2);
const amount = Number(process.env["AMOUNT"] ?? 5000);
const dir = mkdtempSync(join(os.tmpdir(), "fluxra-promises-"));
for (const [i, dist] of dists.entries()) {
  const out = join(dir, `${i}.count`);
  const { server: s, req } = await startSendServer(dist, join(dir, `${i}.db`), `promises${i}`, {
    env: { PROMISE_OUT: out },
    nodeFlags: ["--require", join(repoRoot, "bench", "src", "promise-count-preload.cjs")],
    warm: 60,
  });
  await autocannon({ url: s.url, connections: 10, amount: 2000, requests: [req] });
  const pid = s.child.pid as number;
  process.kill(pid, "SIGWINCH");
  await new Promise((ok) => setTimeout(ok, 200));
  const r = await autocannon({ url: s.url, connections: 10, amount, requests: [req] });
  process.kill(pid, "SIGUSR2");
  for (let waited = 0; !existsSync(out) && waited < 10_000; waited += 100) {
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const n = r.requests.total;
  console.log(
    `${dist}: ${(
      Number(
        readFileSync(out, "utf8")
          .split("\n")
          .reduce((s, l) => s + Number(l.split("\t")[0] || 0), 0),
      ) / n
    ).toFixed(2)} promises per send (${n} sends)`,
  );
  await s.stop();
}
