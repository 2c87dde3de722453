/**
 * Store-level cost (issue 18, round 2), SQLite, in-process: CPU µs per `sendMessage` (group of
 * 2, one at a time, and per send in bursts of 10 sent together, which share a group commit), per
 * newest-50 `listMessages`, and per 20-row `listConversations` (one conversation with 80 k
 * messages unread), on a real WAL file; also the list with a send interleaved before each call (a
 * write to one of the agent's conversations). Medians of alternating rounds, with one lever off
 * and on: the conversation list cache (default) or, with `--lever=send`, the send state kept in
 * memory (domains/chat/sqlite/send-state.ts), or with `--lever=access`, a message page's access
 * facts kept in memory (domains/chat/sqlite/page-access.ts).
 *
 * Usage: node --import tsx bench/src/store-ops.ts [--quick] [--lever=list|send|access]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStore } from "@fluxra/server";
import { cpuPerCall, median } from "./cpu.js";

const quick = process.argv.includes("--quick");
const rounds = quick ? 3 : 7;
const perRound = quick ? 300 : 1000;
const dir = mkdtempSync(join(tmpdir(), "fluxra-store-ops-"));
const store = createSqliteStore(join(dir, "ops.db"));
const { db } = store;
const agent = (i: number) => `agt_${String(i).padStart(26, "0")}`;
const conv = (i: number) => `cnv_${String(i).padStart(26, "0")}`;
const me = agent(0);
const other = agent(1);
db.write(() => {
  for (let c = 0; c < 20; c++) {
    db.stmt(
      `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at,
         created_at, updated_at) VALUES (?, 'group', 't', ?, 2, ?, 0, 0)`,
    ).run(conv(c), me, c);
    db.stmt(
      `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
       VALUES (?, ?, 'owner', 0), (?, ?, 'member', 0)`,
    ).run(conv(c), me, conv(c), other);
  }
  const insert = db.stmt(
    `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type,
       created_at) VALUES (?, ?, ?, ?, ?, 'text/plain', ?)`,
  );
  const t0 = Date.UTC(2026, 0, 1);
  for (let c = 0; c < 20; c++) {
    const n = c === 0 ? 80_000 : 30;
    for (let s = 1; s <= n; s++) {
      insert.run(
        `msg_${String(c * 1_000_000 + s).padStart(26, "0")}`,
        conv(c),
        s,
        other,
        `hello ${s}`,
        t0 + s,
      );
    }
    db.stmt(
      "UPDATE conversations SET next_seq = ?, last_message_at = ?, activity_at = ? WHERE id = ?",
    ).run(n + 1, t0 + n, t0 + n + c, conv(c));
  }
});
let k = 0;
const send = (c: number) =>
  store.chat.sendMessage(
    me,
    conv(c),
    {
      id: `msg_b${String(k++).padStart(25, "0")}`,
      content: "hello there",
      content_type: "text/plain",
      reply_to_id: null,
      metadata: null,
    },
    Date.now(),
  );
const ops = {
  listMessages: () => store.chat.listMessages(me, conv(1), { direction: "desc", seq: null }, 50),
  send: () => send(1),
  sendBurst10: () => Promise.all(Array.from({ length: 10 }, () => send(1))),
  listConversations: () => store.chat.listConversations(other, null, 20),
  sendThenListConversations: async () => {
    await send(2);
    await store.chat.listConversations(other, null, 20);
  },
  json: async () => JSON.stringify(await store.chat.listConversations(other, null, 20)),
};
type Op = keyof typeof ops;
/** Calls per op call (a burst's CPU is reported per send). */
const per: Partial<Record<Op, number>> = { sendBurst10: 10 };
const cpu = async (op: Op, n: number) => (await cpuPerCall(ops[op], n)) / (per[op] ?? 1);
const levers = {
  list: ["list-cache", "conversationListCache", "list cache"],
  send: ["send-state", "sendState", "send state"],
  access: ["page-access", "pageAccessCache", "page access cache"],
} as const;
const lever = (/--lever=(\w+)/.exec(process.argv.join(" "))?.[1] ?? "list") as keyof typeof levers;
const [file, factory, leverName] = levers[lever];
// Imported when present, so the script also runs on a checkout from before the lever existed.
const lists: { enabled: boolean; clear(): void } = await import(
  `../../apps/server/src/domains/chat/sqlite/${file}.js`
).then(
  (m) => m[factory](db),
  () => ({ enabled: false, clear() {} }),
);
const samples = {
  on: Object.fromEntries(Object.keys(ops).map((o) => [o, [] as number[]])),
  off: Object.fromEntries(Object.keys(ops).map((o) => [o, [] as number[]])),
} as Record<"on" | "off", Record<Op, number[]>>;
for (const mode of ["on", "off"] as const) {
  lists.enabled = mode === "on";
  for (const op of Object.keys(ops) as Op[]) await cpu(op, 200);
}
const load = loadavg()[0];
for (let r = 0; r < rounds; r++) {
  for (const mode of r % 2 ? (["off", "on"] as const) : (["on", "off"] as const)) {
    lists.enabled = mode === "on";
    lists.clear();
    for (const op of Object.keys(ops) as Op[]) samples[mode][op].push(await cpu(op, perRound));
  }
}
console.log(
  `store ops, CPU µs per call, ${leverName} off / on (median of ${rounds}; load ${load?.toFixed(2)} → ${loadavg()[0]?.toFixed(2)})`,
);
for (const op of Object.keys(ops) as Op[]) {
  const off = median(samples.off[op]);
  const on = median(samples.on[op]);
  console.log(`${op.padEnd(26)} ${off.toFixed(1).padStart(8)} ${on.toFixed(1).padStart(8)}`);
}
db.close();
rmSync(dir, { recursive: true, force: true });
