/**
 * Issue 18 helper: A/B of two server builds on the token exchange and the conversation list, set
 * up as the full bench does (20 conversations, 60 messages in one, 80 k unread bulk-written into
 * another by a second process), with the bare Hono ceiling in the same rounds. Rounds alternate
 * (A B bare, then bare B A) so all see the same machine load. Besides req/s and process CPU µs
 * per request it splits the CPU into the main thread and the other threads (the WAL checkpoint
 * worker, GC helpers, the libuv pool), read from /proc/<pid>/task.
 *
 *   tsx src/token-convs-ab.ts <dist A> <dist B> [rounds] [seconds] [token,convs]
 *   tsx src/token-convs-ab.ts profile <dist> <out dir> [token,convs]   (CPU profile of one build)
 *
 * A dist dir is a copy of apps/server/dist inside apps/server (so its imports resolve).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join, resolve } from "node:path";
import { median, threadCpu } from "./cpu.js";
import { type Call, drive, type LoadResult } from "./load.js";
import { capture, type Route, startBare } from "./measure.js";
import { topSelfTime } from "./profile.js";
import { expectUnread, seedAgent, seedConversation, sendMessages } from "./seed.js";
import { type RunningServer, repoRoot, startProcess } from "./server-process.js";

const args = process.argv.slice(2) as string[];
const profiling = args[0] === "profile";
if (profiling) args.shift();
const [a, b, roundsArg, secondsArg, namesArg] = args;
if (!a || !b) throw new Error("usage: token-convs-ab.ts <dist A> <dist B> [rounds] [seconds]");
const rounds = Number(roundsArg ?? 4);
const seconds = Number(secondsArg ?? 5);
const names = ((profiling ? roundsArg : namesArg) ?? "token,convs").split(",");
const backlogSize = 80_000;

/**
 * seed.ts's `bulkMessages` without `createSqliteStore`: that would apply this checkout's
 * migrations to the database of build A, which may predate them.
 */
function rawBulkMessages(dbPath: string, conversationId: string, authorId: string, n: number) {
  const Database = createRequire(join(repoRoot, "apps", "server", "package.json"))(
    "better-sqlite3",
  );
  const raw = new Database(dbPath);
  raw.pragma("busy_timeout = 5000");
  const insert = raw.prepare(
    `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type,
       reply_to_id, metadata, created_at, edited_at, deleted_at)
     VALUES (?, ?, ?, ?, ?, 'text/plain', NULL, NULL, ?, NULL, NULL)`,
  );
  const t0 = Date.now() - 2_000_000;
  raw
    .transaction(() => {
      for (let seq = 1; seq <= n; seq++) {
        const at = t0 + seq;
        const id = `msg_${at.toString(32).padStart(10, "0")}${seq.toString(32).padStart(16, "0")}`;
        insert.run(id, conversationId, seq, authorId, `bulk message ${seq}: lorem ipsum`, at);
      }
      raw
        .prepare(
          "UPDATE conversations SET next_seq = ?, last_message_at = ?, activity_at = ? WHERE id = ?",
        )
        .run(n + 1, t0 + n, t0 + n, conversationId);
    })
    .immediate();
  raw.close();
}

function start(dist: string, db: string, nodeFlags: string[] = []): Promise<RunningServer> {
  return startProcess({
    args: [join(resolve(dist), "cli.js"), "--port", "0", "--db", db, "--token-ttl", "3600"],
    env: { FLUXRA_RATE_LIMITS: "off" },
    nodeFlags,
  });
}

/** The full bench's set-up (bench/run.ts) on one server; returns the measured calls. */
async function seed(url: string, dbPath: string, tag: string): Promise<Record<string, Call>> {
  const alice = await seedAgent(url, `bench_alice_${tag}`);
  const bob = await seedAgent(url, `bench_bob_${tag}`);
  const measured = await seedConversation(url, alice, "measured", [bob.id]);
  const others: string[] = [];
  for (let i = 1; i < 20; i++)
    others.push(await seedConversation(url, alice, `other ${i}`, [bob.id]));
  await sendMessages(url, bob, measured, 60);
  const backlog = others[0] as string;
  rawBulkMessages(dbPath, backlog, bob.id, backlogSize);
  // The bulk write can outlast the server's keep-alive timeout on a loaded machine: fetch's
  // pooled connection is then closed under it ("other side closed"), so a few tries.
  for (let attempt = 1; ; attempt++) {
    try {
      await expectUnread(url, alice, backlog, backlogSize);
      break;
    } catch (err) {
      if (attempt === 3) throw err;
      console.log(`unread check, attempt ${attempt}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return {
    token: { method: "POST", path: "/api/auth/token", body: { api_key: alice.apiKey } },
    convs: {
      method: "GET",
      path: "/api/conversations",
      headers: { authorization: `Bearer ${alice.accessToken}` },
    },
  };
}

interface Sample extends LoadResult {
  mainUs: number;
  restUs: number;
}

const dir = mkdtempSync(join(os.tmpdir(), "fluxra-tcab-"));
if (profiling) {
  // <dist> <out dir>: one server, each call for 10 s after 2 s of warm-up, then the top self time.
  const server = await start(a, join(dir, "p.db"), ["--cpu-prof", "--cpu-prof-dir", b]);
  const seeded = await seed(server.url, join(dir, "p.db"), "p");
  for (const name of names) {
    const load = { connections: 10, durationSeconds: 10, warmupSeconds: 2 };
    const r = await drive(server.url, seeded[name] as Call, load, false, server.child.pid);
    console.log(`${name}: ${Math.round(r.rps)} req/s ${r.cpuUsPerRequest.toFixed(0)} µs/req`);
  }
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  for (const f of topSelfTime(b, repoRoot, 40)) {
    console.log(`${f.selfPct.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
  }
  process.exit(0);
}
const servers = { A: await start(a, join(dir, "a.db")), B: await start(b, join(dir, "b.db")) };
const calls = {
  A: await seed(servers.A.url, join(dir, "a.db"), "a"),
  B: await seed(servers.B.url, join(dir, "b.db"), "b"),
};
const patterns: Record<string, string> = { token: "/api/auth/token", convs: "/api/conversations" };
const captured = await capture(
  servers.A.url,
  names.map((n): Route => ({ name: n, pattern: patterns[n] as string, call: calls.A[n] as Call })),
);
const bare = await startBare(dir, captured);
const load = { connections: 10, durationSeconds: seconds, warmupSeconds: 1 };
const results: Record<string, Sample[]> = {};
console.log(
  `load at start ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
try {
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const order = round % 2 === 0 ? (["A", "B", "bare"] as const) : (["bare", "B", "A"] as const);
      for (const k of order) {
        const s = k === "bare" ? bare : servers[k];
        const call = (k === "bare" ? calls.A[name] : calls[k][name]) as Call;
        const pid = s.child.pid as number;
        const before = threadCpu(pid);
        const r = await drive(s.url, call, load, false, pid);
        const after = threadCpu(pid);
        if (r.failures > 0) throw new Error(`${name} ${k}: ${r.failures} failures`);
        // The thread split covers the warm-up too: shares, scaled to the measured µs/request.
        const total = after.main - before.main + (after.rest - before.rest);
        const mainShare = total > 0 ? (after.main - before.main) / total : Number.NaN;
        const sample = {
          ...r,
          mainUs: r.cpuUsPerRequest * mainShare,
          restUs: r.cpuUsPerRequest * (1 - mainShare),
        };
        const key = `${name} ${k}`;
        results[key] ??= [];
        results[key].push(sample);
        console.log(
          `round ${round} ${name} ${k}: ${Math.round(r.rps)} req/s ${r.cpuUsPerRequest.toFixed(0)} µs/req (main ${sample.mainUs.toFixed(0)}, other threads ${sample.restUs.toFixed(0)})`,
        );
      }
    }
  }
} finally {
  await Promise.all([servers.A.stop(), servers.B.stop(), bare.stop()]);
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `load at end ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
console.log("\nmedians; per-round B/A");
const med = (xs: Sample[], f: (s: Sample) => number) => median(xs.map(f));
for (const name of names) {
  const A = results[`${name} A`] ?? [];
  const B = results[`${name} B`] ?? [];
  const bareR = results[`${name} bare`] ?? [];
  const line = (k: string, xs: Sample[]) =>
    `  ${k}: ${Math.round(med(xs, (s) => s.rps))} req/s, ${med(xs, (s) => s.cpuUsPerRequest).toFixed(0)} µs/req (main ${med(xs, (s) => s.mainUs).toFixed(0)}, other ${med(xs, (s) => s.restUs).toFixed(0)})`;
  console.log(`${name}`);
  console.log(line("A", A));
  console.log(line("B", B));
  console.log(line("bare", bareR));
  const ratio = (xs: Sample[], ys: Sample[], f: (s: Sample) => number) =>
    xs.map((x, i) => (f(x) / f(ys[i] as Sample)).toFixed(2)).join(" ");
  console.log(
    `  B/A rps ${ratio(B, A, (s) => s.rps)}; B/A cpu ${ratio(B, A, (s) => s.cpuUsPerRequest)}`,
  );
  console.log(
    `  ÷ bare rps: A ${ratio(A, bareR, (s) => s.rps)}; B ${ratio(B, bareR, (s) => s.rps)}; cpu bare/A ${(med(bareR, (s) => s.cpuUsPerRequest) / med(A, (s) => s.cpuUsPerRequest)).toFixed(3)} bare/B ${(med(bareR, (s) => s.cpuUsPerRequest) / med(B, (s) => s.cpuUsPerRequest)).toFixed(3)}`,
  );
}
