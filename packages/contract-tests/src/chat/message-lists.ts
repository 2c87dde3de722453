import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";
import { createGroup, ids, send, sendMany } from "./fixtures.js";

const section = "api.md §4 Chat · messages";

/** Reading messages: order, paging, before/after, by id. */
export const messageListRules = defineRules("chat", section, [
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
