/**
 * The throughput ratios of issue 18's routes in one run, in alternating rounds (the machine is
 * shared): the reference server, the bare Hono ceiling, and the store floor with the SQLite
 * conversation list cache on and off, for a message send, the newest message page and the
 * conversation list (20 conversations). CPU µs per request from the server processes.
 *
 * Usage: node --import tsx bench/src/ratios.ts [rounds] [seconds]
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { ensureServerBuilt } from "./build.js";
import { median } from "./cpu.js";
import { drive, type LoadResult } from "./load.js";
import { capture, routes, startBare } from "./measure.js";
import { seedAgent, seedConversation, sendMessages } from "./seed.js";
import { repoRoot, startFluxra, startProcess } from "./server-process.js";

const rounds = Number(process.argv[2] ?? 2);
const seconds = Number(process.argv[3] ?? 5);
const settings = { connections: 10, durationSeconds: seconds, warmupSeconds: 1 };
ensureServerBuilt();
const dir = mkdtempSync(join(os.tmpdir(), "fluxra-ratios-"));
const dbPath = join(dir, "bench.db");
const fluxra = await startFluxra(dbPath);
const alice = await seedAgent(fluxra.url, "bench_alice");
const bob = await seedAgent(fluxra.url, "bench_bob");
const conversation = await seedConversation(fluxra.url, alice, "measured", [bob.id]);
for (let i = 1; i < 20; i++) await seedConversation(fluxra.url, alice, `other ${i}`, [bob.id]);
await sendMessages(fluxra.url, bob, conversation, 60);
const wanted = ["POST …/messages", "GET …/messages", "GET /api/conversations"];
const measured = routes(alice, conversation).filter((r) => wanted.includes(r.name));
const bare = await startBare(dir, await capture(fluxra.url, measured));
const bench = join(repoRoot, "bench");
const floor = (flags: string[]) =>
  startProcess({
    args: [
      "--import",
      "tsx",
      join(bench, "src", "store-floor-server.ts"),
      dbPath,
      alice.id,
      ...flags,
    ],
    cwd: bench,
  });
const floorOn = await floor([]);
const floorOff = await floor(["--no-list-cache"]);
const servers = { fluxra, bare, floorOn, floorOff };
type Name = keyof typeof servers;
const results: Record<string, Record<Name, LoadResult[]>> = {};
console.log(`load ${os.loadavg()[0]?.toFixed(2)}`);
for (let r = 0; r < rounds; r++) {
  for (const route of measured) {
    const order = (Object.keys(servers) as Name[]).slice();
    if (r % 2) order.reverse();
    for (const name of order) {
      const s = servers[name];
      const res = await drive(s.url, route.call, settings, false, s.child.pid);
      if (res.failures > 0) throw new Error(`${route.name} on ${name}: ${res.failures} failures`);
      results[route.name] ??= { fluxra: [], bare: [], floorOn: [], floorOff: [] };
      results[route.name]?.[name].push(res);
    }
  }
}
console.log(`load ${os.loadavg()[0]?.toFixed(2)}; medians of ${rounds} rounds, ${seconds} s each`);
console.log("route                     server      req/s  ratio  CPU µs/req");
for (const [route, byServer] of Object.entries(results)) {
  const bareRps = median(byServer.bare.map((x) => x.rps));
  for (const name of Object.keys(servers) as Name[]) {
    const rps = median(byServer[name].map((x) => x.rps));
    const cpu = median(byServer[name].map((x) => x.cpuUsPerRequest));
    console.log(
      `${route.padEnd(25)} ${name.padEnd(9)} ${rps.toFixed(0).padStart(7)} ${(rps / bareRps).toFixed(3).padStart(6)} ${cpu.toFixed(0).padStart(8)}`,
    );
  }
}
for (const s of Object.values(servers)) await s.stop();
rmSync(dir, { recursive: true, force: true });
