/**
 * Issue 18 helper: the SQLite store's share of a keyed send (`Idempotency-Key`), two server source
 * trees in one process, each on its own WAL file, CPU µs per request in bursts of 8 (one group
 * commit per stage), alternating rounds (A B, B A). Ops: `plain` send; `keyed` = claim, send,
 * complete with a sealed ~330-byte response (what the middleware does); `claimsend` without the
 * completion; `foldedclaim`/`folded` with the claim queued in the send's batch instead of awaited
 * first; `keyedtiny` completing with a 1-byte unsealed body; `seal` the AES-GCM seal alone.
 * The process's CPU is measured, so the checkpoint worker's thread counts.
 *
 *   node --import tsx bench/src/idem-store-ab.ts <src A> <src B> [rounds]
 *
 * A tree is a `src` directory inside apps/server (see store-send-ab.ts for making main's copy).
 */

import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cpuPerCall, median } from "./cpu.js";

const [srcA, srcB, roundsArg] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), "fluxra-idem-store-"));
const me = `agt_${"0".repeat(26)}`;
const other = `agt_${"1".padStart(26, "0")}`;
const conv = `cnv_${"0".repeat(26)}`;
async function open(src: string, tag: string) {
  const { createSqliteStore } = await import(join(resolve(src), "index.ts"));
  const { seal } = await import(join(resolve(src), "platform/sealed.ts"));
  const store = createSqliteStore(join(dir, `${tag}.db`));
  const { db } = store;
  db.write(() => {
    db.stmt(
      `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at, created_at, updated_at) VALUES (?, 'group', 't', ?, 2, 0, 0, 0)`,
    ).run(conv, me);
    db.stmt(
      `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at) VALUES (?, ?, 'owner', 0), (?, ?, 'member', 0)`,
    ).run(conv, me, conv, other);
  });
  const key = randomBytes(32);
  let k = 0;
  const body = JSON.stringify({
    id: "msg_01kbxxxxxxxxxxxxxxxxxxxxxx",
    conversation_id: conv,
    seq: 1,
    author_id: me,
    content: "benchmark message: the quick brown fox jumps over the lazy dog",
    content_type: "text/plain",
    reply_to_id: null,
    metadata: null,
    created_at: "2026-12-07T12:00:00.000Z",
    edited_at: null,
    deleted_at: null,
  });
  const send = async () => {
    const r = await store.chat.sendMessage(
      me,
      conv,
      {
        id: `msg_${String(k++).padStart(26, "0")}`,
        content: "benchmark message: the quick brown fox jumps over the lazy dog",
        content_type: "text/plain",
        reply_to_id: null,
        metadata: null,
      },
      Date.now(),
    );
    if (!r.ok) throw new Error("refused");
  };
  const scope = () => ({
    caller: me,
    method: "POST",
    path: `/api/conversations/${conv}/messages`,
    key: randomUUID(),
  });
  const claim = (s: ReturnType<typeof scope>) => {
    const now = Date.now();
    return store.platform.claimIdempotencyKey(s, "h".repeat(64), now, now - 86400000, now - 60000);
  };
  const complete = (s: ReturnType<typeof scope>) =>
    store.platform.completeIdempotencyKey(s, 201, seal(key, body), {
      "content-type": "application/json",
      location: "/x",
    });
  const keyed = async () => {
    const s = scope();
    await claim(s);
    await send();
    await complete(s);
  };
  const claimOnly = async () => {
    const s = scope();
    await claim(s);
    await send();
  };
  const folded = async () => {
    const s = scope();
    const c = claim(s);
    await send();
    await c;
    await complete(s);
  };
  const foldedNoComplete = async () => {
    const s = scope();
    const c = claim(s);
    await send();
    await c;
  };
  const completeTiny = (s: ReturnType<typeof scope>) =>
    store.platform.completeIdempotencyKey(s, 201, "x", {});
  const keyedTiny = async () => {
    const s = scope();
    await claim(s);
    await send();
    await completeTiny(s);
  };
  const sealOnly = async () => {
    seal(key, body);
  };
  return {
    store,
    ops: {
      plain: () => Promise.all(Array.from({ length: 8 }, send)),
      keyed: () => Promise.all(Array.from({ length: 8 }, keyed)),
      claimsend: () => Promise.all(Array.from({ length: 8 }, claimOnly)),
      foldedclaim: () => Promise.all(Array.from({ length: 8 }, foldedNoComplete)),
      folded: () => Promise.all(Array.from({ length: 8 }, folded)),
      keyedtiny: () => Promise.all(Array.from({ length: 8 }, keyedTiny)),
      seal: () => Promise.all(Array.from({ length: 8 }, sealOnly)),
    } as Record<string, () => Promise<unknown>>,
  };
}
const trees = { A: await open(srcA as string, "a"), B: await open(srcB as string, "b") };
const names = Object.keys(trees.A.ops);
const run = (t: "A" | "B", op: string) => trees[t].ops[op] as () => Promise<unknown>;
for (const t of ["A", "B"] as const) for (const op of names) await cpuPerCall(run(t, op), 200);
const samples: Record<string, number[]> = {};
const rounds = Number(roundsArg ?? 6);
for (let r = 0; r < rounds; r++)
  for (const t of r % 2 ? (["B", "A"] as const) : (["A", "B"] as const))
    for (const op of names) {
      const us = (await cpuPerCall(run(t, op), 250)) / 8;
      samples[`${op} ${t}`] = [...(samples[`${op} ${t}`] ?? []), us];
    }
for (const op of names) {
  const a = samples[`${op} A`] ?? [];
  const b = samples[`${op} B`] ?? [];
  console.log(
    op.padEnd(10),
    "A",
    median(a).toFixed(1),
    "B",
    median(b).toFixed(1),
    "B/A",
    b.map((x, i) => (x / (a[i] ?? Number.NaN)).toFixed(2)).join(" "),
  );
}
console.log("load", loadavg()[0]);
for (const t of Object.values(trees)) await t.store.close();
rmSync(dir, { recursive: true, force: true });
