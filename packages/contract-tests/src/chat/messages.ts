import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";
import { createGroup, ids, openDirect, send, sendMany } from "./fixtures.js";

const section = "api.md §4 Chat · messages";

/** Sending, listing and paging messages. */
export const messageRules = defineRules("chat", section, [
  {
    id: "message-send",
    ref: "POST …/messages",
    title:
      "sending answers 201 Message: seq from 1, author_id, content_type text/plain by default, null edited_at/deleted_at",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const d = await openDirect(ctx, a, b);
      const res = await ctx.req({
        method: "POST",
        path: `/api/conversations/${d.id}/messages`,
        auth: a.token,
        body: { content: "hello", metadata: { k: 1 } },
      });
      expectStatus(res, 201);
      const m = res.json;
      expectEqual(
        [
          m.conversation_id,
          m.seq,
          m.author_id,
          m.content,
          m.content_type,
          m.metadata,
          m.reply_to_id,
          m.edited_at,
          m.deleted_at,
        ],
        [d.id, 1, a.id, "hello", "text/plain", { k: 1 }, null, null, null],
        "message fields",
        res,
      );
      const md = await ctx.req({
        method: "POST",
        path: `/api/conversations/${d.id}/messages`,
        auth: b.token,
        body: { content: "# hi", content_type: "text/markdown", reply_to_id: m.id },
      });
      expectStatus(md, 201, "a markdown reply");
      expectEqual(
        [md.json.seq, md.json.content_type, md.json.reply_to_id],
        [2, "text/markdown", m.id],
        "seq, content_type, reply_to_id",
        md,
      );
    },
  },
  {
    id: "message-seq-gap-free",
    ref: "Message · seq",
    title: "seq is gap-free and strictly increasing, also for concurrent senders",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const g = await createGroup(ctx, a, [b]);
      const sent = await Promise.all(
        Array.from({ length: 12 }, (_, i) => send(i % 2 ? a : b, g.id, `p${i}`)),
      );
      const seqs = sent.map((m) => m.seq as number).sort((x, y) => x - y);
      expectEqual(
        seqs,
        Array.from({ length: 12 }, (_, i) => i + 1),
        "seq values",
      );
    },
  },
  {
    id: "message-limits",
    ref: "POST …/messages; §1 limits",
    title:
      "content of 8,000 code points is accepted; 8,001 characters, empty content, invalid application/json, > 4 KiB metadata answer 422",
    async run(ctx) {
      const a = await ctx.agent();
      const g = await createGroup(ctx, a);
      const path = `/api/conversations/${g.id}/messages`;
      const max = await ctx.req({
        method: "POST",
        path,
        auth: a.token,
        body: { content: "😀".repeat(8000) },
      });
      expectStatus(max, 201, "8,000 astral code points");
      for (const body of [
        { content: "x".repeat(8001) },
        { content: "" },
        { content: "{not json", content_type: "application/json" },
        { content: "m", metadata: { blob: "m".repeat(4100) } },
        { content: "m", content_type: "text/html" },
      ]) {
        const res = await ctx.req({ method: "POST", path, auth: a.token, body });
        expectError(res, 422, "validation_failed", JSON.stringify(body).slice(0, 60));
      }
      const json = await ctx.req({
        method: "POST",
        path,
        auth: a.token,
        body: { content: '{"a":1}', content_type: "application/json" },
      });
      expectStatus(json, 201, "valid application/json content");
    },
  },
  {
    id: "message-reply-to-foreign",
    ref: "decisions: reply_to_id must name a message of the same conversation",
    title: "reply_to_id naming a message of another conversation answers 422",
    async run(ctx) {
      const a = await ctx.agent();
      const [g1, g2] = [await createGroup(ctx, a), await createGroup(ctx, a)];
      const m = await send(a, g1.id, "here");
      const res = await ctx.req({
        method: "POST",
        path: `/api/conversations/${g2.id}/messages`,
        auth: a.token,
        body: { content: "re", reply_to_id: m.id },
      });
      expectError(res, 422, "validation_failed");
    },
  },
  {
    id: "message-send-idempotent",
    ref: "POST …/messages · Idempotency-Key",
    title: "a retried send with the same Idempotency-Key stores one message and replays it",
    async run(ctx) {
      const a = await ctx.agent();
      const g = await createGroup(ctx, a);
      const send1 = () =>
        ctx.req({
          method: "POST",
          path: `/api/conversations/${g.id}/messages`,
          auth: a.token,
          headers: { "idempotency-key": `send-${g.id}` },
          body: { content: "once" },
        });
      const first = await send1();
      const second = await send1();
      expectStatus(first, 201);
      expectStatus(second, 201, "the retry");
      expectEqual(second.json.id, first.json.id, "replayed message id", second);
      const list = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}/messages`,
        auth: a.token,
      });
      expectEqual(list.json.data.length, 1, "messages stored", list);
    },
  },
  {
    id: "messages-newest-first",
    ref: "GET …/messages",
    title: "listing answers the messages newest first",
    async run(ctx) {
      const a = await ctx.agent();
      const g = await createGroup(ctx, a);
      const sent = await sendMany(a, g.id, 5);
      const res = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}/messages`,
        auth: a.token,
      });
      expectStatus(res, 200);
      expectEqual(ids(res.json.data), ids(sent).reverse(), "message ids, newest first", res);
      expectEqual(
        [res.json.has_more, res.json.next_cursor],
        [false, null],
        "has_more, next_cursor",
        res,
      );
    },
  },
  {
    id: "messages-paging",
    ref: "GET …/messages · cursor",
    title: "paging with limit and cursor walks every message once, newest first (SDK paginator)",
    async run(ctx) {
      const a = await ctx.agent();
      const g = await createGroup(ctx, a);
      const sent = await sendMany(a, g.id, 7);
      const seen: string[] = [];
      for await (const m of a.client.messages.list(g.id, { limit: 3 })) seen.push(m.id);
      expectEqual(seen, ids(sent).reverse(), "ids over pages of 3");
      const page = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}/messages`,
        auth: a.token,
        query: { limit: 3 },
      });
      ensure(
        page.json.has_more === true && typeof page.json.next_cursor === "string",
        "first page of 3 of 7 must have more",
        page,
      );
    },
  },
  {
    id: "messages-after-before",
    ref: "GET …/messages · before/after",
    title:
      "after=<id> answers later messages oldest first (catch-up); before=<id> earlier ones newest first; both → 422",
    async run(ctx) {
      const a = await ctx.agent();
      const g = await createGroup(ctx, a);
      const sent = await sendMany(a, g.id, 6);
      const path = `/api/conversations/${g.id}/messages`;
      const pivot = sent[2].id;
      const after = await ctx.req({ method: "GET", path, auth: a.token, query: { after: pivot } });
      expectStatus(after, 200, "after");
      expectEqual(
        ids(after.json.data),
        ids(sent.slice(3)),
        "after: oldest first, exclusive",
        after,
      );
      const before = await ctx.req({
        method: "GET",
        path,
        auth: a.token,
        query: { before: pivot },
      });
      expectEqual(
        ids(before.json.data),
        ids(sent.slice(0, 2)).reverse(),
        "before: newest first, exclusive",
        before,
      );
      const catchUp = await ctx.req({
        method: "GET",
        path,
        auth: a.token,
        query: { after: pivot, limit: 2 },
      });
      const next = await ctx.req({
        method: "GET",
        path,
        auth: a.token,
        query: { after: pivot, limit: 2, cursor: catchUp.json.next_cursor },
      });
      expectEqual(
        [...ids(catchUp.json.data), ...ids(next.json.data)],
        ids(sent.slice(3, 7)),
        "catch-up in pages of 2",
        next,
      );
      const both = await ctx.req({
        method: "GET",
        path,
        auth: a.token,
        query: { after: pivot, before: pivot },
      });
      expectError(both, 422, "validation_failed", "before with after");
      const other = await createGroup(ctx, a);
      const foreign = await ctx.req({
        method: "GET",
        path: `/api/conversations/${other.id}/messages`,
        auth: a.token,
        query: { after: pivot },
      });
      expectError(
        foreign,
        422,
        "validation_failed",
        "after naming a message of another conversation",
      );
    },
  },
  {
    id: "message-get",
    ref: "GET …/messages/{message_id}",
    title: "a message answers 200 by id; through another conversation's path it answers 404",
    async run(ctx) {
      const a = await ctx.agent();
      const [g1, g2] = [await createGroup(ctx, a), await createGroup(ctx, a)];
      const m = await send(a, g1.id, "x");
      const res = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g1.id}/messages/${m.id}`,
        auth: a.token,
      });
      expectStatus(res, 200);
      expectEqual(res.json, m, "the message as sent", res);
      const wrong = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g2.id}/messages/${m.id}`,
        auth: a.token,
      });
      expectError(wrong, 404, "not_found", "through another conversation");
    },
  },
]);
