/**
 * Hot reads without statements (issue 18, first lever), measured in process: CPU µs per
 * authenticated message send and message page, and per session lookup at the store, with the
 * SQLite session cache on and off, in alternating rounds of one run (the machine is shared;
 * medians of the rounds, the load average printed beside them).
 *
 * Usage: pnpm --filter @fluxra/bench bench:hot-reads [--quick]
 */

import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fetchPost, onboardAgent } from "@fluxra/openapi/onboard";
import { createReferenceServer } from "@fluxra/server/testing";
import { sqliteSessionCache } from "../../apps/server/src/domains/auth/session-cache.js";
import { cpuPerCall, median } from "./cpu.js";

const quick = process.argv.includes("--quick");
const rounds = quick ? 4 : 8;
const requestsPerRound = quick ? 150 : 400;
const lookupsPerRound = quick ? 5_000 : 20_000;

const server = createReferenceServer();
const base = "http://fluxra.bench";
const post = fetchPost(base, (request) => Promise.resolve(server.fetch(request)));
const alice = await onboardAgent(post, { handle: "hot-alice", keyName: "bench" });
const bob = await onboardAgent(post, { handle: "hot-bob", keyName: "bench" });
const conv = await post(
  "/api/conversations",
  { type: "group", title: "hot", member_ids: [bob.id] },
  alice.accessToken,
);
if (conv.status !== 201) throw new Error(`conversation: ${conv.status} ${conv.text}`);
const conversationId = (conv.body as { id: string }).id;
const auth = { authorization: `Bearer ${alice.accessToken}` };
const cache = sqliteSessionCache(server.store.db);
const sessionHash = createHash("sha256").update(alice.sessionId).digest("hex");

let n = 0;
const ops = {
  async send() {
    const res = await server.fetch(
      new Request(`${base}/api/conversations/${conversationId}/messages`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ content: `hello ${n++}` }),
      }),
    );
    if (res.status !== 201) throw new Error(`send: ${res.status}`);
    await res.arrayBuffer();
  },
  async list() {
    const res = await server.fetch(
      new Request(`${base}/api/conversations/${conversationId}/messages?limit=20`, {
        headers: auth,
      }),
    );
    if (res.status !== 200) throw new Error(`list: ${res.status}`);
    await res.arrayBuffer();
  },
  async lookup() {
    const s = await server.store.auth.getSession(sessionHash);
    if (s === null) throw new Error("lookup: no session");
  },
};
type Op = keyof typeof ops;

const samples: Record<Op, { on: number[]; off: number[] }> = {
  send: { on: [], off: [] },
  list: { on: [], off: [] },
  lookup: { on: [], off: [] },
};
const loadBefore = loadavg();
// Warm-up in both modes, then alternate so drift in machine load hits both alike.
for (const enabled of [true, false]) {
  cache.enabled = enabled;
  for (const op of Object.keys(ops) as Op[])
    await cpuPerCall(ops[op], op === "lookup" ? 2_000 : 50);
}
for (let r = 0; r < rounds; r++) {
  for (const enabled of r % 2 ? [false, true] : [true, false]) {
    cache.enabled = enabled;
    for (const op of Object.keys(ops) as Op[]) {
      const us = await cpuPerCall(ops[op], op === "lookup" ? lookupsPerRound : requestsPerRound);
      samples[op][enabled ? "on" : "off"].push(us);
    }
  }
}
cache.enabled = true;
const loadAfter = loadavg();

const rows = (Object.keys(samples) as Op[]).map((op) => {
  const on = median(samples[op].on);
  const off = median(samples[op].off);
  return {
    op,
    cacheOffUs: +off.toFixed(2),
    cacheOnUs: +on.toFixed(2),
    offOverOn: +(off / on).toFixed(3),
  };
});
const result = {
  date: new Date().toISOString(),
  quick,
  rounds,
  requestsPerRound,
  lookupsPerRound,
  loadavg: {
    before: loadBefore.map((x) => +x.toFixed(2)),
    after: loadAfter.map((x) => +x.toFixed(2)),
  },
  rows,
};
console.log(
  `hot reads (CPU µs per call, median of ${rounds} rounds; load ${loadBefore[0]?.toFixed(2)} → ${loadAfter[0]?.toFixed(2)})`,
);
console.log("op      cache off   cache on   off ÷ on");
for (const r of rows) {
  console.log(
    `${r.op.padEnd(7)} ${r.cacheOffUs.toFixed(1).padStart(9)} ${r.cacheOnUs.toFixed(1).padStart(10)} ${r.offOverOn.toFixed(3).padStart(10)}`,
  );
}
if (!quick) {
  writeFileSync(
    join(import.meta.dirname, "..", "results", "hot-reads.json"),
    `${JSON.stringify(result, null, 2)}\n`,
  );
}
await server.close();
