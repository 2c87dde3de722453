/**
 * A plain loop of store sends (bursts of 8, one group commit each) for profilers:
 *   node --perf-basic-prof --import tsx bench/src/store-send-loop.ts <src|dist index> [bursts]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const [src, burstsArg] = process.argv.slice(2);
if (!src) throw new Error("usage: store-send-loop.ts <src dir or dist index.js> [bursts]");
const bursts = Number(burstsArg ?? 5000);
const dir = mkdtempSync(join(tmpdir(), "fluxra-send-loop-"));
const me = `agt_${"0".repeat(26)}`;
const other = `agt_${"1".padStart(26, "0")}`;
const conv = `cnv_${"0".repeat(26)}`;
const entry = src.endsWith(".js") ? resolve(src) : join(resolve(src), "index.ts");
const { createSqliteStore } = await import(entry);
const store = createSqliteStore(join(dir, "loop.db"));
const { db } = store;
db.write(() => {
  db.stmt(
    `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at,
       created_at, updated_at) VALUES (?, 'group', 't', ?, 2, 0, 0, 0)`,
  ).run(conv, me);
  db.stmt(
    `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
     VALUES (?, ?, 'owner', 0), (?, ?, 'member', 0)`,
  ).run(conv, me, conv, other);
});
let k = 0;
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
  if (!r.ok) throw new Error(`send refused: ${r.code}`);
};
const t0 = process.cpuUsage();
for (let i = 0; i < bursts; i++) await Promise.all(Array.from({ length: 8 }, send));
const t = process.cpuUsage(t0);
console.log(`${((t.user + t.system) / (bursts * 8)).toFixed(1)} CPU µs/send (${bursts * 8} sends)`);
await store.close();
rmSync(dir, { recursive: true, force: true });
