/**
 * The store floor: a bare Hono app (like bare-server.ts) that calls the reference server's own
 * SQLite store for a message send (`store.chat.sendMessage`: group commit, membership and block
 * checks, seq, insert) and a message page (`store.chat.listMessages`: membership, blocked
 * authors, the serialized tail), with none of its auth, validation or middleware. Its cost over
 * the bare ceiling is what the storage layer costs; the reference server's cost over it is the
 * HTTP framework, auth and the rest of the request pipeline.
 *
 * It also answers the conversation list (`store.chat.listConversations`, 20 rows, as the reference
 * server's handler serializes it, with a fixed cursor), so the list's store cost can be measured;
 * `--no-list-cache` turns the SQLite conversation list cache off (the A/B of issue 18's list lever).
 *
 * `--store <dist>/index.js` takes the store from a built copy of the server instead of the source
 * (the "before" of an A/B: ratios.ts `--a`); the list cache switch needs the source.
 *
 * Usage: node --import tsx bench/src/store-floor-server.ts <db path> <author id> [--no-list-cache]
 *   [--store <dist>/index.js]
 */

import { serve } from "@hono/node-server";
import { Hono } from "hono";

const [dbPath, authorId] = process.argv.slice(2);
if (!dbPath || !authorId) throw new Error("usage: store-floor-server.ts <db path> <author id>");
const storeAt = process.argv.indexOf("--store");
const server_ = (
  storeAt === -1
    ? await import("@fluxra/server")
    : await import(process.argv[storeAt + 1] as string)
) as typeof import("@fluxra/server");
const store = server_.createSqliteStore(dbPath);
if (process.argv.includes("--no-list-cache")) {
  const { conversationListCache } = await import(
    "../../apps/server/src/domains/chat/sqlite/list-cache.js"
  );
  conversationListCache(store.db).enabled = false;
}
const json = { "content-type": "application/json" };
let counter = 0;
const messageId = () => `msg_floor${process.pid}${(counter++).toString(36).padStart(17, "0")}`;

const app = new Hono();
app.post("/api/conversations/:id/messages", async (c) => {
  const body = (await c.req.json()) as { content: string };
  const sent = await store.chat.sendMessage(
    authorId,
    c.req.param("id"),
    {
      id: messageId(),
      content: body.content,
      content_type: "text/plain",
      reply_to_id: null,
      metadata: null,
    },
    Date.now(),
  );
  if (!sent.ok) return c.json({ error: sent.code }, 404);
  return c.json(sent.value, 201);
});
app.get("/api/conversations/:id/messages", async (c) => {
  const page = await store.chat.listMessages(
    authorId,
    c.req.param("id"),
    { direction: "desc", seq: null },
    50,
  );
  if (!page.ok) return c.json({ error: page.code }, 404);
  const { json: data, next } = page.value;
  const cursor = next === null ? "null" : '"x"';
  return c.body(`{"data":${data},"has_more":${next !== null},"next_cursor":${cursor}}`, 200, json);
});
app.get("/api/conversations", async (c) => {
  const page = await store.chat.listConversations(authorId, null, 20);
  return c.json(
    { data: page.rows, has_more: page.next !== null, next_cursor: page.next === null ? null : "x" },
    200,
  );
});
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  console.log(`store floor listening on http://127.0.0.1:${info.port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
