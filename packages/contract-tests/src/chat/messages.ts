import { expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";
import { createGroup, openDirect, send } from "./fixtures.js";

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
    ref: "spec #/paths/~1api~1conversations~1{conversation_id}~1messages/post: reply_to_id must name a message of the same conversation",
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
]);
