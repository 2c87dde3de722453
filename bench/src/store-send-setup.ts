/**
 * The store-level send scripts' common set-up (store-send-ab.ts, store-send-loop.ts): a SQLite
 * store loaded from a server tree (`src` dir, or a dist `index.js`), a 2-member group on a WAL
 * file of its own, and `send()`, one `sendMessage` from its owner that throws if refused.
 */
import { join, resolve } from "node:path";

const me = `agt_${"0".repeat(26)}`;
const other = `agt_${"1".padStart(26, "0")}`;
const conv = `cnv_${"0".repeat(26)}`;

/** Opens the store of `tree` on `dbPath`; message ids are `msg_<prefix><counter>` (26 chars). */
export async function openSendStore(tree: string, dbPath: string, prefix = "") {
  const entry = tree.endsWith(".js") ? resolve(tree) : join(resolve(tree), "index.ts");
  const { createSqliteStore } = await import(entry);
  const store = createSqliteStore(dbPath);
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
        id: `msg_${prefix}${String(k++).padStart(26 - prefix.length, "0")}`,
        content: "benchmark message: the quick brown fox jumps over the lazy dog",
        content_type: "text/plain",
        reply_to_id: null,
        metadata: null,
      },
      Date.now(),
    );
    if (!r.ok) throw new Error(`send refused: ${r.code}`);
  };
  return { store, send };
}
