import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPostgresStore } from "../../../storage/postgres/test-store.js";
import { MESSAGE_COLUMNS, type MessageRow, toMessage } from "../rows.js";
import type { MessageWindow } from "../store.js";

// Two instances on one database: each keeps its own message tail (migration 012 and
// domains/chat/message-tail.ts). Whatever either one (or plain SQL) changes, every page either
// serves must equal the page read straight from the table.
const a = createTestPostgresStore({ shareKey: "message-tail" });
const b = createTestPostgresStore({ shareKey: "message-tail" });
const q = a.db.query;
const [alice, bob, carol] = ["agt_alice", "agt_bob", "agt_carol"];
const conversation = "cnv_tail";

beforeAll(async () => {
  await q(
    `INSERT INTO agents (id, handle, display_name, created_at, updated_at)
     SELECT id, id, id, 0, 0 FROM unnest($1::text[]) AS id`,
    [[alice, bob, carol]],
  );
  await q(
    `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at, created_at, updated_at)
     VALUES ($1, 'group', 't', $2, 3, 0, 0, 0)`,
    [conversation, alice],
  );
  await q(
    `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
     SELECT $1, x, 'member', 0 FROM unnest($2::text[]) AS x`,
    [conversation, [alice, bob, carol]],
  );
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

/** The page as the definition says: a plain keyset query on the table. */
async function expected(caller: string, window: MessageWindow, limit: number) {
  const asc = window.direction === "asc";
  const rows = await q<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1
       AND seq ${asc ? ">" : "<"} $2
       AND author_id NOT IN (SELECT target_id FROM blocks WHERE blocker_id = $3 AND type = 'agent')
     ORDER BY seq ${asc ? "ASC" : "DESC"} LIMIT $4`,
    [conversation, window.seq ?? (asc ? 0 : Number.MAX_SAFE_INTEGER), caller, limit + 1],
  );
  const page = rows.slice(0, limit);
  return {
    data: page.map(toMessage),
    next: rows.length > limit ? (page.at(-1)?.seq ?? null) : null,
  };
}

async function check(store: typeof a, caller: string, window: MessageWindow, limit: number) {
  const got = await store.chat.listMessages(caller, conversation, window, limit);
  if (!got.ok) throw new Error(`listMessages refused: ${got.code}`);
  expect({ data: JSON.parse(got.value.json), next: got.value.next }).toEqual(
    await expected(caller, window, limit),
  );
}

let n = 0;
const send = (store: typeof a, author: string) =>
  store.chat.sendMessage(
    author,
    conversation,
    {
      id: `msg_${String(++n).padStart(4, "0")}`,
      content: `m${n} "quoted" é`,
      content_type: "text/plain",
      reply_to_id: null,
      metadata: n % 3 === 0 ? { n } : null,
    },
    1_700_000_000_000 + n,
  );

describe("message tails on PostgreSQL, two instances", () => {
  it("serve exactly the table's pages whichever instance or tool changed the messages", async () => {
    const windows = (seq: number): [MessageWindow, number][] => [
      [{ direction: "desc", seq: null }, 50],
      [{ direction: "desc", seq: null }, 3],
      [{ direction: "desc", seq }, 4],
      [{ direction: "asc", seq: 0 }, 5],
      [{ direction: "asc", seq }, 100],
    ];
    const checkAll = async () => {
      for (const store of [a, b]) {
        for (const caller of [alice, bob]) {
          for (const [window, limit] of windows(Math.max(1, n - 3))) {
            await check(store, caller, window, limit);
          }
        }
      }
    };

    for (let i = 0; i < 6; i++) expect((await send(a, alice)).ok).toBe(true);
    await checkAll(); // both instances build their tails
    // Sends on one instance extend its tail; the other sees the version move and rebuilds.
    for (let i = 0; i < 4; i++) expect((await send(b, i % 2 ? bob : carol)).ok).toBe(true);
    await checkAll();
    // Concurrent sends on both instances (row lock order decides seq).
    const sent = await Promise.all([send(a, alice), send(b, bob), send(a, carol), send(b, alice)]);
    expect(sent.every((s) => s.ok)).toBe(true);
    await checkAll();
    // An edit and a tombstone made by the other instance.
    expect(
      (await b.chat.editMessage(alice, conversation, "msg_0002", { content: "edited" }, 9)).ok,
    ).toBe(true);
    expect((await b.chat.deleteMessage(bob, conversation, "msg_0008", 10)).ok).toBe(true);
    await checkAll();
    // A block changes only the blocker's pages.
    await q(
      "INSERT INTO blocks (id, blocker_id, type, target_id, created_at) VALUES ('blk_t', $1, 'agent', $2, 0)",
      [alice, carol],
    );
    await checkAll();
    // Hand-written SQL, behind both instances' backs.
    await q("UPDATE messages SET content = 'by hand' WHERE id = 'msg_0001'");
    await checkAll();
    const [page] = await q<{ content: string }>(
      "SELECT content FROM messages WHERE id = 'msg_0001'",
    );
    expect(page?.content).toBe("by hand");
  });
});
