/**
 * Instructions per request in the Node server process of two builds on PostgreSQL, counted by
 * valgrind (cachegrind, no cache simulation): the server-side half of a PostgreSQL request, by a
 * measure the machine's load does not move (PostgreSQL's backends are not counted; see
 * pg-quick.ts for their CPU time). Each build gets a database of its own, seeded alike without
 * valgrind, then serves `small` and `large` requests (after the same warm-up) in two valgrind
 * runs; the difference of the totals over `large - small` leaves start-up and exit out. Requests
 * go 4 at a time over keep-alive connections, so concurrent requests share group reads/batches
 * as they would at low load.
 *
 *   tsx src/pg-instructions-ab.ts <bin A> <bin B> [list|send] [small] [large] [repeats]
 *
 * A bin is a fluxra-server.js whose ../dist is a build inside apps/server (imports resolve).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median } from "./cpu.js";
import { adminUrl, psql } from "./postgres.js";
import { type SeededAgent, seedAgent, seedConversation, sendMessages } from "./seed.js";
import { startProcess } from "./server-process.js";

const [binA, binB, route = "list", small = "300", large = "1200", repeats = "2"] =
  process.argv.slice(2);
if (!binA || !binB) throw new Error("usage: pg-instructions-ab.ts <bin A> <bin B> [route] …");
const dir = mkdtempSync(join(tmpdir(), "fluxra-pginstr-"));
const admin = adminUrl();
const databases: string[] = [];
const env = { FLUXRA_RATE_LIMITS: "off", FLUXRA_PG_POOL_SIZE: "10" };

/** A fresh database for `bin`, seeded through it: one agent, the measured conversation. */
async function seeded(bin: string, tag: string) {
  const name = `fluxra_pginstr_${tag}_${process.pid}`;
  psql(admin, `CREATE DATABASE ${name}`);
  databases.push(name);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const server = await startProcess({
    args: [resolve(bin), "--port", "0", "--db", url.toString(), "--token-ttl", "36000"],
    env,
  });
  const agent = await seedAgent(server.url, "bench_instr");
  const conv = await seedConversation(server.url, agent, "bench", []);
  await sendMessages(server.url, agent, conv, 60);
  await server.stop();
  return { url: url.toString(), agent, conv };
}

/** Sends `count` requests of the route, 4 at a time, and checks each answer. */
async function requests(base: string, agent: SeededAgent, conv: string, count: number) {
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const call = () =>
        fetch(
          `${base}/api/conversations/${conv}/messages`,
          route === "send"
            ? {
                method: "POST",
                headers: {
                  authorization: `Bearer ${agent.accessToken}`,
                  "content-type": "application/json",
                },
                body: JSON.stringify({ content: "instructions" }),
              }
            : { headers: { authorization: `Bearer ${agent.accessToken}` } },
        );
      // A kept-alive connection the (slow, valgrind-run) server closed as idle: sent again.
      const res = await call().catch(call);
      await res.arrayBuffer();
      if (res.status !== (route === "send" ? 201 : 200)) throw new Error(`${route}: ${res.status}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

/** Total instructions of one valgrind-run server serving a warm-up and `count` requests. */
async function counted(bin: string, db: Awaited<ReturnType<typeof seeded>>, count: number) {
  const out = join(dir, `run-${Date.now()}.cg`);
  const child = spawn(
    "valgrind",
    [
      "--tool=cachegrind",
      "--cache-sim=no",
      "--branch-sim=no",
      `--cachegrind-out-file=${out}`,
      process.execPath,
      resolve(bin),
      "--port",
      "0",
      "--db",
      db.url,
      "--token-ttl",
      "36000",
    ],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const url = await new Promise<string>((ok, fail) => {
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(text);
      if (found) ok(found[1] as string);
    });
    child.once("exit", (code) => fail(new Error(`server exited (${code}) before listening`)));
  });
  const exited = new Promise((ok) => child.once("exit", ok));
  try {
    await requests(url, db.agent, db.conv, 100);
    await requests(url, db.agent, db.conv, count);
  } catch (err) {
    child.kill("SIGKILL"); // never leave a valgrind-run server behind
    throw err;
  }
  child.kill("SIGTERM");
  await exited;
  const summary = /^summary: (\d+)/m.exec(readFileSync(out, "utf8"));
  if (!summary) throw new Error(`no cachegrind summary in ${out}`);
  rmSync(out, { force: true });
  return Number(summary[1]);
}

try {
  const dbs = { A: await seeded(binA, "a"), B: await seeded(binB, "b") };
  const n = [Number(small), Number(large)] as const;
  const perRequest: Record<"A" | "B", number[]> = { A: [], B: [] };
  for (let r = 0; r < Number(repeats); r++) {
    const order: ["A" | "B", string][] =
      r % 2 === 0
        ? [
            ["A", binA],
            ["B", binB],
          ]
        : [
            ["B", binB],
            ["A", binA],
          ];
    for (const [name, bin] of order) {
      const few = await counted(bin, dbs[name], n[0]);
      const many = await counted(bin, dbs[name], n[1]);
      const each = (many - few) / (n[1] - n[0]);
      perRequest[name].push(each);
      console.log(`round ${r} ${name}: ${Math.round(each)} instructions/request`);
    }
  }
  const a = median(perRequest.A);
  const b = median(perRequest.B);
  console.log(
    `${route}: A ${Math.round(a)} B ${Math.round(b)} instructions/request (medians); B/A ${(b / a).toFixed(3)}`,
  );
} finally {
  for (const name of databases) psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  rmSync(dir, { recursive: true, force: true });
}
