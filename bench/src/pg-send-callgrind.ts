/**
 * Issue 18 helper: where a send's instructions go in the server process, per thread, on
 * PostgreSQL or SQLite. One build runs under callgrind (`--separate-threads=yes`); after `warm`
 * sends the counters are zeroed (`callgrind_control -z`), `count` sends follow (`clients` at a
 * time, 4 by default, as pg-instructions-ab.ts), then a dump (`-d`). Prints instructions per send
 * per thread and the main thread's top functions (self, `callgrind_annotate`); JIT-compiled
 * JavaScript shows as `???` (callgrind cannot read V8's code map), builtins and the runtime by name.
 *
 *   tsx src/pg-send-callgrind.ts <bin> <out dir> [pg|sqlite] [warm] [count] [--clients=N]
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { adminUrl, psql } from "./postgres.js";
import { type SeededAgent, seedAgent, seedConversation, sendMessages } from "./seed.js";

const clients = Number(
  process.argv.find((a) => a.startsWith("--clients="))?.slice("--clients=".length) ?? 4,
);
const [bin, out, backend = "pg", warmArg = "600", countArg = "600"] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith("--"));
if (!bin || !out) throw new Error("usage: pg-send-callgrind.ts <bin> <out dir> [pg|sqlite] …");
mkdirSync(resolve(out), { recursive: true });
const admin = adminUrl();
const name = `fluxra_cg_${process.pid}_${Date.now().toString(36)}`;
let db = join(tmpdir(), `${name}.db`);
if (backend === "pg") {
  psql(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  db = url.toString();
}

async function sends(url: string, agent: SeededAgent, conv: string, count: number) {
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const call = () =>
        fetch(`${url}/api/conversations/${conv}/messages`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${agent.accessToken}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({
            content: "benchmark message: the quick brown fox jumps over the lazy dog",
          }),
        });
      const res = await call().catch(call);
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`send: ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
}

const child = spawn(
  "valgrind",
  [
    "--tool=callgrind",
    "--separate-threads=yes",
    `--callgrind-out-file=${join(resolve(out), "cg.out")}`,
    process.execPath,
    resolve(bin),
    "--port",
    "0",
    "--db",
    db,
    "--token-ttl",
    "36000",
  ],
  {
    env: { ...process.env, FLUXRA_RATE_LIMITS: "off", FLUXRA_PG_POOL_SIZE: "10" },
    stdio: ["ignore", "pipe", "pipe"],
  },
);
try {
  const url = await new Promise<string>((ok, fail) => {
    let text = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(text);
      if (found) ok(found[1] as string);
    });
    child.once("exit", (code) => fail(new Error(`server exited (${code}) before listening`)));
  });
  const agent = await seedAgent(url, "bench_cg");
  const conv = await seedConversation(url, agent, "bench", []);
  await sendMessages(url, agent, conv, 20);
  await sends(url, agent, conv, Number(warmArg));
  execFileSync("callgrind_control", ["-z", String(child.pid)]);
  await sends(url, agent, conv, Number(countArg));
  execFileSync("callgrind_control", ["-d", String(child.pid)]);
  const perSend = Number(countArg);
  const files = readdirSync(resolve(out)).filter(
    (f) => f.startsWith("cg.out") && f.includes(".1-"),
  );
  if (backend === "pg") {
    const batches = psql(
      `${admin.replace(/\/[^/]*$/, "")}/${name}`,
      `SELECT count(*)::text || ' messages, ' || count(DISTINCT xmin::text) || ' commits' FROM messages`,
    );
    console.log(`database: ${batches}`);
  }
  for (const f of files.sort()) {
    const text = readFileSync(join(resolve(out), f), "utf8");
    const total = /^summary: (\d+)/m.exec(text) ?? /^totals: (\d+)/m.exec(text);
    console.log(`${f}: ${Math.round(Number(total?.[1] ?? 0) / perSend)} instructions/send`);
  }
} finally {
  child.kill("SIGTERM");
  await new Promise((ok) => child.once("exit", ok));
  if (backend === "pg") psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
