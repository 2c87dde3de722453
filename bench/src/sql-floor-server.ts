/**
 * The SQLite floor: a bare Hono app (like bare-server.ts) that runs the same SQL as the reference
 * server for a message send and a message page, with none of its auth, validation or middleware.
 * Its cost over the bare ceiling is what SQLite itself costs; the reference server's cost over it
 * is the server's own overhead.
 *
 * Usage: node --import tsx bench/src/sql-floor-server.ts <db path> <author id>
 */

import { createSqliteStore } from "@fluxra/server";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const [dbPath, authorId] = process.argv.slice(2);
if (!dbPath || !authorId) throw new Error("usage: sql-floor-server.ts <db path> <author id>");
const raw = createSqliteStore(dbPath).db.raw;
const columns = `id, conversation_id, seq, author_id, content, content_type, reply_to_id, metadata,
  created_at, edited_at, deleted_at`;
const member = raw.prepare(
  "SELECT role FROM conversation_members WHERE conversation_id = ? AND agent_id = ?",
);
const bump = raw.prepare(`UPDATE conversations SET next_seq = next_seq + 1, last_message_at = @now,
  activity_at = @now WHERE id = @id RETURNING next_seq - 1 AS seq`);
const insert = raw.prepare(`INSERT INTO messages (${columns})
  VALUES (@id, @conversation_id, @seq, @author_id, @content, 'text/plain', NULL, NULL, @now, NULL, NULL)`);
const page = raw
  .prepare(`SELECT ${columns} FROM messages WHERE conversation_id = ? AND seq < ?
    ORDER BY seq DESC LIMIT ?`)
  .raw(true);
let counter = 0;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const send = raw.transaction((conversation: string, content: string) => {
  if (member.get(conversation, authorId) === undefined) return undefined;
  const now = Date.now();
  const { seq } = bump.get({ id: conversation, now }) as { seq: number };
  const id = `msg_floor${process.pid}${(counter++).toString(36).padStart(17, "0")}`;
  insert.run({ id, conversation_id: conversation, seq, author_id: authorId, content, now });
  return { id, conversation_id: conversation, seq, author_id: authorId, content, now };
});

const app = new Hono();
app.post("/api/conversations/:id/messages", async (c) => {
  const body = (await c.req.json()) as { content: string };
  const m = send.immediate(c.req.param("id"), body.content);
  if (!m) return c.json({ error: "not_found" }, 404);
  const { now, ...rest } = m;
  return c.json(
    {
      ...rest,
      content_type: "text/plain",
      reply_to_id: null,
      metadata: null,
      created_at: iso(now),
      edited_at: null,
      deleted_at: null,
    },
    201,
  );
});
app.get("/api/conversations/:id/messages", (c) => {
  const conversation = c.req.param("id");
  if (member.get(conversation, authorId) === undefined) return c.json({ error: "not_found" }, 404);
  const rows = page.all(conversation, Number.MAX_SAFE_INTEGER, 51) as unknown[][];
  const data = rows.slice(0, 50).map((v) => ({
    id: v[0],
    conversation_id: v[1],
    seq: v[2],
    author_id: v[3],
    content: v[4],
    content_type: v[5],
    reply_to_id: v[6],
    metadata: v[7] === null ? null : JSON.parse(v[7] as string),
    created_at: iso(v[8] as number),
    edited_at: iso(v[9] as number | null),
    deleted_at: iso(v[10] as number | null),
  }));
  return c.json({ data, has_more: rows.length > 50, next_cursor: rows.length > 50 ? "x" : null });
});
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  console.log(`sql floor listening on http://127.0.0.1:${info.port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
