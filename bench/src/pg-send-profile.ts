/**
 * Issue 18 helper: a CPU profile of one server build under the bench's send load (10 connections,
 * one conversation, seeded as pg-quick.ts does), on PostgreSQL or SQLite, then the top self time
 * and the self time summed per package/file group (V8's sampler counts wall time between samples,
 * so on a busy host a syscall that wakes another process soaks up the time the server waited for
 * a core: `writev` looks dear). `PERF=1`: `perf record -g -F 2999` of the server instead (on-CPU
 * samples only, kernel included; `--perf-basic-prof` names the JIT code; `perf.data` in the out
 * dir, read it with `perf report`/`perf script`). `STRACE=1`: `strace -f -c` instead
 * (`strace.txt`). `WARM=<s>`: seconds of load before the measured part (default 2; V8 still
 * compiles for several seconds after that at PostgreSQL's rate, 10 reaches a steady state).
 * `NODE_EXTRA="…"`: more node flags for the server; `TRACE_OUT=<file>`: its stdout.
 *
 *   tsx src/pg-send-profile.ts <fluxra-server.js or dist/cli.js> <out dir> [pg|sqlite] [seconds]
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { drive } from "./load.js";
import { routes } from "./measure.js";
import { adminUrl, PG_POOL_SIZE, psql } from "./postgres.js";
import { topSelfTime } from "./profile.js";
import { seedAgent, seedConversation, sendMessages } from "./seed.js";
import { repoRoot, startProcess } from "./server-process.js";

const [bin, out, backend = "pg", secondsArg = "10"] = process.argv.slice(2);
if (!bin || !out)
  throw new Error("usage: pg-send-profile.ts <bin> <out dir> [pg|sqlite] [seconds]");
const strace = process.env["STRACE"] === "1";
/** An external recorder attached after the warm-up (perf or strace) instead of V8's profiler. */
const perf = process.env["PERF"] === "1" || strace;
mkdirSync(resolve(out), { recursive: true });
const dir = mkdtempSync(join(tmpdir(), "pg-send-profile-"));
const admin = adminUrl();
const name = `fluxra_prof_${process.pid}_${Date.now().toString(36)}`;
let db = join(dir, "bench.db");
if (backend === "pg") {
  psql(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  db = url.toString();
}
try {
  const server = await startProcess({
    args: [resolve(bin), "--port", "0", "--db", db, "--token-ttl", "3600"],
    env: { FLUXRA_RATE_LIMITS: "off", FLUXRA_PG_POOL_SIZE: String(PG_POOL_SIZE) },
    nodeFlags: [
      ...(perf
        ? ["--perf-basic-prof"]
        : ["--cpu-prof", "--cpu-prof-dir", resolve(out), "--cpu-prof-interval", "100"]),
      // NODE_EXTRA="--log-deopt --logfile=…": any other flags for the server.
      ...(process.env["NODE_EXTRA"]?.split(" ").filter(Boolean) ?? []),
    ],
  });
  // TRACE_OUT=<file>: the server's stdout from here on (e.g. NODE_EXTRA="--trace-opt --trace-deopt").
  const traceOut = process.env["TRACE_OUT"];
  if (traceOut) server.child.stdout?.pipe(createWriteStream(traceOut));
  const alice = await seedAgent(server.url, "bench_alice");
  const bob = await seedAgent(server.url, "bench_bob");
  const conversation = await seedConversation(server.url, alice, "measured", [bob.id]);
  await sendMessages(server.url, bob, conversation, 60);
  const send = routes(alice, conversation).find((r) => r.name === "POST …/messages");
  if (!send) throw new Error("no send route");
  const warm = Number(process.env["WARM"] ?? 2);
  const load = { connections: 10, durationSeconds: Number(secondsArg), warmupSeconds: warm };
  // perf: on-CPU samples only (user and kernel), recorded after the warm-up.
  let recorder: ReturnType<typeof spawn> | undefined;
  if (perf) {
    setTimeout(
      () => {
        const pid = String(server.child.pid);
        recorder = strace
          ? spawn("strace", ["-f", "-c", "-o", join(resolve(out), "strace.txt"), "-p", pid], {
              stdio: "ignore",
            })
          : spawn(
              "perf",
              ["record", "-F", "2999", "-g", "-o", join(resolve(out), "perf.data"), "-p", pid],
              {
                stdio: "ignore",
              },
            );
      },
      warm * 1000 + 500,
    );
  }
  const r = await drive(server.url, send.call, load, false, server.child.pid);
  console.log(
    `${backend}: ${Math.round(r.rps)} req/s, ${r.cpuUsPerRequest.toFixed(0)} µs/req, ${r.requests} requests`,
  );
  if (recorder) {
    const done = new Promise((ok) => recorder?.once("exit", ok));
    recorder.kill("SIGINT");
    await done;
  }
  await server.stop();
  const top = perf ? [] : topSelfTime(resolve(out), repoRoot, 400);
  for (const f of top.slice(0, 45)) {
    console.log(`${f.selfPct.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
  }
  const groups = new Map<string, number>();
  for (const f of top) {
    const m = /node_modules\/(?:\.pnpm\/)?([^/]+)/.exec(f.where);
    const g = m ? m[1] : f.where === "" ? f.name : f.where.replace(/:\d+$/, "");
    groups.set(g as string, (groups.get(g as string) ?? 0) + f.selfPct);
  }
  if (!perf) console.log("-- by group");
  for (const [g, p] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${p.toFixed(1).padStart(5)}%  ${g}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (backend === "pg") psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
