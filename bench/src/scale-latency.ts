/**
 * The scale row of `pnpm bench` taken apart: one conversation grown to each size by the same bulk
 * SQL seed (`bulkMessages`, from this process while the real CLI serves the file), then at each
 * size `--rounds` latency loops of the newest page (`latencyLoop`: 300 warm-up + 3,000 sequential
 * GETs), each beside a loop on a small conversation (60 messages) in A B B A order, so the
 * machine's drift hits both; per loop: p50/p99, the server's CPU µs per GET (/proc), this
 * process's CPU µs per GET, the WAL's frames (from the -shm header) and the load. At the last size
 * the same again after a checkpoint of the WAL (what a live server's own commits would have run).
 *
 *   pnpm --filter @fluxra/bench exec tsx src/scale-latency.ts [--sizes 10000,100000,1000000]
 *     [--rounds 2] [--requests 3000]
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createSqliteStore } from "@fluxra/server";
import type { Call, LoadResult } from "./load.js";
import { latencyLoop } from "./measure.js";
import { bulkMessages, seedAgent, seedConversation, sendMessages } from "./seed.js";
import { startFluxra } from "./server-process.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000,1000000" },
    rounds: { type: "string", default: "2" },
    requests: { type: "string", default: "3000" },
  },
});
const sizes = (values.sizes as string).split(",").map(Number);
const rounds = Number(values.rounds);
const requests = Number(values.requests);
const dir = mkdtempSync(join(os.tmpdir(), "fluxra-scale-latency-"));
const dbPath = join(dir, "bench.db");
const server = await startFluxra(dbPath);
const pid = server.child.pid;
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
/**
 * WAL frames written since its last restart, and how many of them the last checkpoint copied.
 * Only while this process has no connection to the file open: closing the `-shm` descriptor read
 * here would drop every SQLite lock this process holds on it (checkpointer.ts).
 */
const wal = () => {
  try {
    const shm = readFileSync(`${dbPath}-shm`).subarray(0, 136);
    const size = statSync(`${dbPath}-wal`).size;
    return `WAL ${shm.readUInt32LE(16)} frames (${shm.readUInt32LE(96)} checkpointed), ${(size / 1e6).toFixed(0)} MB file`;
  } catch {
    return "WAL –";
  }
};
try {
  const alice = await seedAgent(server.url, "scale_alice");
  const bob = await seedAgent(server.url, "scale_bob");
  const small = await seedConversation(server.url, alice, "small", [bob.id]);
  await sendMessages(server.url, alice, small, 60);
  const big = await seedConversation(server.url, alice, "scale", [bob.id]);
  const call = (conversation: string): Call => ({
    method: "GET",
    path: `/api/conversations/${conversation}/messages`,
    headers: { authorization: `Bearer ${alice.accessToken}` },
  });
  const line = (label: string, r: LoadResult, benchUs: number) =>
    console.log(
      `  ${label.padEnd(6)} p50 ${r.p50Ms.toFixed(3)} ms  p99 ${r.p99Ms.toFixed(2)} ms  server ${r.cpuUsPerRequest.toFixed(0)} µs/GET  bench ${benchUs.toFixed(0)} µs/GET  load ${load()}`,
    );
  const loop = async (label: string, conversation: string) => {
    const u0 = process.cpuUsage();
    const r = await latencyLoop(server.url, call(conversation), requests, pid);
    const u = process.cpuUsage(u0);
    line(label, r, (u.user + u.system) / (requests * 1.1));
    return r;
  };
  const abba = async () => {
    for (let i = 0; i < rounds; i++) {
      const order =
        i % 2 === 0 ? ["big", "small", "small", "big"] : ["small", "big", "big", "small"];
      for (const which of order) await loop(which, which === "big" ? big : small);
    }
  };
  let stored = 0;
  for (const size of sizes) {
    const seconds = bulkMessages(dbPath, big, alice.id, stored + 1, size);
    stored = size;
    console.log(`${size} messages: seeded in ${seconds.toFixed(1)} s; ${wal()}; load ${load()}`);
    await abba();
  }
  const store = createSqliteStore(dbPath);
  const [r] = store.db.raw.pragma("wal_checkpoint(TRUNCATE)") as { busy: number; log: number }[];
  store.db.close();
  console.log(`checkpoint (TRUNCATE): busy ${r?.busy}, ${r?.log} frames; ${wal()}`);
  await abba();
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
