/**
 * Issue 18 helper: A/B of two server builds (and the store floor) in one run, alternating short
 * autocannon rounds so both see the same machine load; or a CPU profile of one build.
 *
 *   tsx src/pipeline-ab.ts profile <dist dir> <out dir> [send,list,convs] [--floor] [--pg]
 *   tsx src/pipeline-ab.ts ab <dist A> <dist B> [rounds] [seconds] [send,list,convs,token]
 *
 * A dist dir is a copy of apps/server/dist inside apps/server (so its imports resolve).
 * `--pg`: profile the server on a fresh PostgreSQL database (dropped after) instead of SQLite.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median } from "./cpu.js";
import { type Call, drive, type LoadResult } from "./load.js";
import { startFloor } from "./measure.js";
import { adminUrl, psql } from "./postgres.js";
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

async function seed(url: string, tag: string) {
  const agent = await seedAgent(url, `bench_${tag}`);
  const conv = await seedConversation(url, agent, "bench", []);
  // 20 conversations in the list, like ratios.ts.
  for (let i = 1; i < 20; i++) await seedConversation(url, agent, `other ${i}`, []);
  await sendMessages(url, agent, conv, 60);
  const auth = { authorization: `Bearer ${agent.accessToken}` };
  const messages = `/api/conversations/${conv}/messages`;
  const calls: Record<string, Call> = {
    send: {
      method: "POST",
      path: messages,
      headers: auth,
      body: { content: "benchmark message: the quick brown fox jumps over the lazy dog" },
    },
    list: { method: "GET", path: messages, headers: auth },
    convs: { method: "GET", path: "/api/conversations", headers: auth },
    token: { method: "POST", path: "/api/auth/token", body: { api_key: agent.apiKey } },
  };
  return { agent, conv, calls };
}

const fmt = (r: LoadResult) => `${Math.round(r.rps)} req/s ${r.cpuUsPerRequest.toFixed(0)} µs/req`;

if (mode === "profile") {
  const [dist, out] = rest as [string, string];
  const dir = mkdtempSync(join(tmpdir(), "fluxra-prof-"));
  let db = join(dir, "p.db");
  let pgName: string | undefined;
  if (rest.includes("--pg")) {
    pgName = `fluxra_prof_${process.pid}_${Date.now().toString(36)}`;
    psql(adminUrl(), `CREATE DATABASE ${pgName}`);
    const url = new URL(adminUrl());
    url.pathname = `/${pgName}`;
    db = url.toString();
  }
  const server = await start(dist, db, ["--cpu-prof", "--cpu-prof-dir", out]);
  const { agent, calls } = await seed(server.url, "p");
  const load = { connections: 10, durationSeconds: 10, warmupSeconds: 2 };
  const names = (rest[2] ?? "send,list").split(",");
  for (const name of names) {
    const r = await drive(server.url, calls[name] as Call, load, false, server.child.pid);
    console.log(name, fmt(r), "failures", r.failures);
  }
  await server.stop();
  if (pgName !== undefined) psql(adminUrl(), `DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
  for (const f of topSelfTime(out, repoRoot, 40)) {
    console.log(`${f.selfPct.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
  }
  // `--floor`: the store floor on the same database, profiled the same way, into <out>/floor.
  if (rest.includes("--floor")) {
    const floorOut = join(out, "floor");
    const floor = await startProcess({
      args: [
        "--cpu-prof",
        "--cpu-prof-dir",
        floorOut,
        "--import",
        "tsx",
        join(repoRoot, "bench", "src", "store-floor-server.ts"),
        join(dir, "p.db"),
        agent.id,
      ],
      cwd: join(repoRoot, "bench"),
    });
    for (const name of names) {
      const r = await drive(floor.url, calls[name] as Call, load, false, floor.child.pid);
      console.log("floor", name, fmt(r), "failures", r.failures);
    }
    await floor.stop();
    for (const f of topSelfTime(floorOut, repoRoot, 40)) {
      console.log(`${f.selfPct.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
    }
  }
} else if (mode === "ab") {
  const [a, b] = rest as [string, string];
  const rounds = Number(rest[2] ?? 5);
  const seconds = Number(rest[3] ?? 5);
  const names = (rest[4] ?? "send,list,convs,token").split(",");
  const dir = mkdtempSync(join(tmpdir(), "fluxra-ab-"));
  const servers = { A: await start(a, join(dir, "a.db")), B: await start(b, join(dir, "b.db")) };
  const seeded = { A: await seed(servers.A.url, "a"), B: await seed(servers.B.url, "b") };
  const floor = await startFloor(join(dir, "b.db"), seeded.B.agent.id);
  const load = { connections: 10, durationSeconds: seconds, warmupSeconds: 1 };
  const results: Record<string, LoadResult[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const order = round % 2 === 0 ? (["A", "B"] as const) : (["B", "A"] as const);
      const targets: [string, RunningServer, Call][] = order.map((k) => [
        k,
        servers[k],
        seeded[k].calls[name] as Call,
      ]);
      if (name !== "token") {
        const call = { ...(seeded.B.calls[name] as Call) };
        targets.push(["floor", floor, call]);
      }
      for (const [k, s, call] of targets) {
        const r = await drive(s.url, call, load, false, s.child.pid);
        if (r.failures > 0) throw new Error(`${name} ${k}: ${r.failures} failures`);
        const key = `${name} ${k}`;
        results[key] ??= [];
        results[key].push(r);
        console.log(`round ${round} ${key}: ${fmt(r)}`);
      }
    }
  }
  console.log("\nmedians (and per-round B/A ratios)");
  for (const name of names) {
    const A = results[`${name} A`] ?? [];
    const B = results[`${name} B`] ?? [];
    const F = results[`${name} floor`];
    const rpsRatio = A.map((r, i) => (B[i]?.rps ?? 0) / r.rps);
    const cpuRatio = A.map((r, i) => (B[i]?.cpuUsPerRequest ?? 0) / r.cpuUsPerRequest);
    console.log(
      `${name}: A ${Math.round(median(A.map((r) => r.rps)))} req/s ${median(A.map((r) => r.cpuUsPerRequest)).toFixed(0)} µs; B ${Math.round(median(B.map((r) => r.rps)))} req/s ${median(B.map((r) => r.cpuUsPerRequest)).toFixed(0)} µs; B/A rps ${rpsRatio.map((x) => x.toFixed(2)).join(" ")}; B/A cpu ${cpuRatio.map((x) => x.toFixed(2)).join(" ")}`,
    );
    if (F) {
      const fr = median(F.map((r) => r.rps));
      const fc = median(F.map((r) => r.cpuUsPerRequest));
      const perRound = (xs: LoadResult[]) =>
        xs.map((r, i) => (r.rps / (F[i]?.rps ?? 1)).toFixed(2)).join(" ");
      console.log(
        `  floor ${Math.round(fr)} req/s ${fc.toFixed(0)} µs; A÷floor rps ${perRound(A)}; B÷floor rps ${perRound(B)}; cpu floor/A ${(fc / median(A.map((r) => r.cpuUsPerRequest))).toFixed(2)} floor/B ${(fc / median(B.map((r) => r.cpuUsPerRequest))).toFixed(2)}`,
      );
    }
  }
  await Promise.all([servers.A.stop(), servers.B.stop(), floor.stop()]);
}
