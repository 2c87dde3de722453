/**
 * Instructions per request of two server builds, counted by valgrind (cachegrind, no cache
 * simulation): a measure the machine's load does not move, for A/Bs on a busy shared machine
 * where CPU µs per request swing by a third between rounds. Each build serves the same seeded
 * database copy twice, once for `small` and once for `large` requests (after the same warm-up);
 * the difference of the two runs' totals, divided by `large - small`, leaves start-up, warm-up
 * and exit out. Requests are sent 4 at a time over keep-alive connections.
 *
 *   tsx src/instructions-ab.ts <dist A> <dist B> [list|convs|send|sendkey] [small] [large] [repeats]
 *     [--main-thread] [--clients=N]
 *
 * `--main-thread`: callgrind with `--separate-threads=yes`, counting the main thread alone. A
 * send's whole-process count moves by 100–450 k instructions between runs of one build with
 * how many WAL checkpoints (a worker thread on a 100 ms timer) fall into the run; the main
 * thread's count leaves them out. With 4 clients the group commit's batch size (so commits per
 * send) still moves with timing; `--clients=1` sends one request at a time, every send its own
 * commit, for the pipeline's count.
 *
 * A dist dir is a copy of apps/server/dist inside apps/server (so its imports resolve);
 * `floor:<dist dir>` counts the store floor (store-floor-server.ts) on that build's store.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median } from "./cpu.js";
import { seedAgent, seedConversation, sendMessages } from "./seed.js";
import { repoRoot, startProcess } from "./server-process.js";

const mainThread = process.argv.includes("--main-thread");
/** `--clients=N`: requests N at a time (default 4); 1 makes every send a group commit of its own. */
const clients = Number(
  process.argv.find((a) => a.startsWith("--clients="))?.slice("--clients=".length) ?? 4,
);
const [distA, distB, route = "list", small = "1000", large = "4000", repeats = "2"] = process.argv
  .slice(2)
  .filter((a) => a !== "--main-thread" && !a.startsWith("--clients="));
if (!distA || !distB) throw new Error("usage: instructions-ab.ts <dist A> <dist B> [route] …");
const dir = mkdtempSync(join(tmpdir(), "fluxra-instr-"));
const seeded = join(dir, "seed.db");

// Seeded once by build B without valgrind; every counted run starts from a copy.
const seeder = await startProcess({
  args: [join(resolve(distB), "cli.js"), "--port", "0", "--db", seeded, "--token-ttl", "36000"],
  env: { FLUXRA_RATE_LIMITS: "off" },
});
const agent = await seedAgent(seeder.url, "bench_instr");
const conv = await seedConversation(seeder.url, agent, "bench", []);
for (let i = 1; i < 20; i++) await seedConversation(seeder.url, agent, `other ${i}`, []);
await sendMessages(seeder.url, agent, conv, 60);
await seeder.stop();
const paths: Record<string, string> = {
  list: `/api/conversations/${conv}/messages`,
  convs: "/api/conversations",
  send: `/api/conversations/${conv}/messages`,
  sendkey: `/api/conversations/${conv}/messages`,
};
const path = paths[route];
if (!path) throw new Error(`unknown route ${route}`);
/** `send`/`sendkey`: a POST, `sendkey` with a fresh `Idempotency-Key` each (what the SDK sends). */
const post = route.startsWith("send");
const expected = post ? 201 : 200;
const init = (): RequestInit => {
  const headers: Record<string, string> = { authorization: `Bearer ${agent.accessToken}` };
  if (!post) return { headers };
  headers["content-type"] = "application/json";
  if (route === "sendkey") headers["idempotency-key"] = crypto.randomUUID();
  const body = JSON.stringify({ content: "benchmark message: the quick brown fox" });
  return { method: "POST", headers, body };
};

/** Sends `count` requests, `clients` at a time, and checks each answered 200 (201 for sends). */
async function requests(url: string, count: number): Promise<void> {
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const options = init();
      const get = () => fetch(`${url}${path}`, options);
      // A kept-alive connection the (slow, valgrind-run) server closed as idle just as it was
      // reused: the request is sent again (a keyed POST replays if the first one ran).
      const res = await get().catch(get);
      await res.arrayBuffer();
      if (res.status !== expected) throw new Error(`${route}: ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
}

/** Total instructions of one server run under valgrind serving `warm` + `count` requests. */
async function counted(dist: string, count: number, tag: string): Promise<number> {
  const db = join(dir, `${tag}.db`);
  copyFileSync(seeded, db);
  const out = join(dir, `${tag}.cg`);
  const tool = mainThread
    ? ["--tool=callgrind", "--separate-threads=yes", `--callgrind-out-file=${out}`]
    : ["--tool=cachegrind", "--cache-sim=no", "--branch-sim=no", `--cachegrind-out-file=${out}`];
  // `floor:<dist>`: the store floor (store-floor-server.ts) on that build's store instead.
  const server = dist.startsWith("floor:")
    ? [
        "--import",
        "tsx",
        join(repoRoot, "bench", "src", "store-floor-server.ts"),
        db,
        agent.id,
        "--store",
        join(resolve(dist.slice("floor:".length)), "index.js"),
      ]
    : [join(resolve(dist), "cli.js"), "--port", "0", "--db", db, "--token-ttl", "36000"];
  const child = spawn("valgrind", [...tool, process.execPath, ...server], {
    cwd: join(repoRoot, "bench"),
    env: { ...process.env, FLUXRA_RATE_LIMITS: "off" },
    stdio: ["ignore", "pipe", "pipe"],
  });
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
    await requests(url, 300);
    await requests(url, count);
  } catch (err) {
    // Never leave a valgrind-run server behind.
    child.kill("SIGKILL");
    throw err;
  }
  child.kill("SIGTERM");
  await exited;
  if (mainThread) {
    // callgrind writes <out>-01 (the main thread), -02, … one file per thread.
    const files = readdirSync(dir).filter((f) => f.startsWith(`${tag}.cg-`));
    const main = readFileSync(join(dir, `${tag}.cg-01`), "utf8");
    const totals = /^(?:summary|totals): (\d+)/m.exec(main);
    if (!totals) throw new Error(`no callgrind totals in ${tag}.cg-01`);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    for (const f of files) rmSync(join(dir, f), { force: true });
    return Number(totals[1]);
  }
  const summary = /^summary: (\d+)/m.exec(readFileSync(out, "utf8"));
  if (!summary) throw new Error(`no cachegrind summary in ${out}`);
  for (const f of [db, `${db}-wal`, `${db}-shm`, out]) rmSync(f, { force: true });
  return Number(summary[1]);
}

const n = [Number(small), Number(large)] as const;
const perRequest: Record<"A" | "B", number[]> = { A: [], B: [] };
for (let r = 0; r < Number(repeats); r++) {
  for (const [name, dist] of (r % 2 === 0
    ? [
        ["A", distA],
        ["B", distB],
      ]
    : [
        ["B", distB],
        ["A", distA],
      ]) as ["A" | "B", string][]) {
    const few = await counted(dist, n[0], `${name}${r}s`);
    const many = await counted(dist, n[1], `${name}${r}l`);
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
rmSync(dir, { recursive: true, force: true });
