/**
 * The throughput ratios of issue 18's routes in one run, in alternating rounds (the machine is
 * shared): the reference server, the bare Hono ceiling, and the store floor with the SQLite
 * conversation list cache on and off, for a message send, the newest message page and the
 * conversation list (20 conversations). CPU µs per request from the server processes.
 *
 * Usage: node --import tsx bench/src/ratios.ts [rounds] [seconds] [--a <dist A>] [--routes list,send,convs]
 *
 * `--a <dist A>`: an A/B in the same rounds. A dist dir is a copy of apps/server/dist inside
 * apps/server (so its imports resolve), built from the "before" commit; its server (`server A`)
 * and its store floor (`floor A`, the store from `<dist A>/index.js`) run beside this tree's
 * (`server`, `floorOn`, from apps/server/dist and the source), on the same database. The list
 * cache's off floor is left out then. Ratios: each server ÷ bare, and each server ÷ its own floor.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { ensureServerBuilt } from "./build.js";
import { median } from "./cpu.js";
import { drive, type LoadResult } from "./load.js";
import { capture, routes, startBare } from "./measure.js";
import { seedAgent, seedConversation, sendMessages } from "./seed.js";
import { type RunningServer, repoRoot, startFluxra, startProcess } from "./server-process.js";

const flag = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const positional = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith("--") && !all[i - 1]?.startsWith("--"));
const rounds = Number(positional[0] ?? 2);
const seconds = Number(positional[1] ?? 5);
const distA = flag("--a");
const routeNames: Record<string, string> = {
  send: "POST …/messages",
  list: "GET …/messages",
  convs: "GET /api/conversations",
};
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
const wanted = (flag("--routes") ?? "send,list,convs").split(",").map((r) => routeNames[r]);
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
const servers: Record<string, RunningServer> = { fluxra, bare, floorOn: await floor([]) };
if (distA === undefined) {
  servers["floorOff"] = await floor(["--no-list-cache"]);
} else {
  const dist = resolve(distA);
  servers["serverA"] = await startProcess({
    args: [join(dist, "cli.js"), "--port", "0", "--db", dbPath, "--token-ttl", "3600"],
    env: { FLUXRA_RATE_LIMITS: "off" },
  });
  servers["floorA"] = await floor(["--store", join(dist, "index.js")]);
}
type Name = string;
const results: Record<string, Record<Name, LoadResult[]>> = {};
console.log(`load ${os.loadavg()[0]?.toFixed(2)}`);
for (let r = 0; r < rounds; r++) {
  for (const route of measured) {
    const order = (Object.keys(servers) as Name[]).slice();
    if (r % 2) order.reverse();
    for (const name of order) {
      const s = servers[name] as RunningServer;
      const res = await drive(s.url, route.call, settings, false, s.child.pid);
      if (res.failures > 0) throw new Error(`${route.name} on ${name}: ${res.failures} failures`);
      results[route.name] ??= {};
      const byServer = results[route.name] as Record<Name, LoadResult[]>;
      byServer[name] ??= [];
      byServer[name].push(res);
    }
  }
}
console.log(`load ${os.loadavg()[0]?.toFixed(2)}; medians of ${rounds} rounds, ${seconds} s each`);
console.log("route                     server      req/s  ratio  CPU µs/req");
for (const [route, byServer] of Object.entries(results)) {
  const rpsOf = (name: Name) => median((byServer[name] ?? []).map((x) => x.rps));
  const bareRps = rpsOf("bare");
  for (const name of Object.keys(servers) as Name[]) {
    const rps = rpsOf(name);
    const cpu = median((byServer[name] ?? []).map((x) => x.cpuUsPerRequest));
    console.log(
      `${route.padEnd(25)} ${name.padEnd(9)} ${rps.toFixed(0).padStart(7)} ${(rps / bareRps).toFixed(3).padStart(6)} ${cpu.toFixed(0).padStart(8)}`,
    );
  }
  if (distA !== undefined) {
    // Per round, so both sides of each ratio saw the same load.
    const perRound = (a: Name, b: Name) =>
      (byServer[a] ?? [])
        .map((x, i) => (x.rps / (byServer[b]?.[i]?.rps ?? 1)).toFixed(2))
        .join(" ");
    console.log(
      `${route.padEnd(25)} per round: server÷bare ${perRound("fluxra", "bare")}; serverA÷bare ${perRound("serverA", "bare")}; server÷floorOn ${perRound("fluxra", "floorOn")}; serverA÷floorA ${perRound("serverA", "floorA")}; floorOn÷floorA ${perRound("floorOn", "floorA")}`,
    );
  }
}
for (const s of Object.values(servers)) await s.stop();
rmSync(dir, { recursive: true, force: true });
