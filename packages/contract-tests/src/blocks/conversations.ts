import { createGroup, ids, openDirect, send } from "../chat/fixtures.js";
import { expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";

const section = "api.md §5 Blocks";

/** Blocking conversations, and listing blocks. */
export const conversationBlockRules = defineRules("blocks", section, [
  {
    id: "block-group",
    ref: "PUT /api/blocks/conversations/{conversation_id} (Matrix ban)",
    title:
      "blocking a group: 201, the caller leaves it and loses sight of it; no one can add them back (403 blocked) until unblocked",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const g = await createGroup(ctx, a, [b]);
      const path = `/api/blocks/conversations/${g.id}`;
      const res = await ctx.req({ method: "PUT", path, auth: b.token });
      expectStatus(res, 201);
      expectEqual(
        [res.json.type, res.json.target_id],
        ["conversation", g.id],
        "type, target_id",
        res,
      );
      expectStatus(await ctx.req({ method: "PUT", path, auth: b.token }), 200, "blocking again");
      const list = await ctx.req({ method: "GET", path: "/api/conversations", auth: b.token });
      expectEqual(ids(list.json.data).includes(g.id), false, "the group in B's list", list);
      const read = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}`,
        auth: b.token,
      });
      expectError(read, 404, "not_found", "B reading the group");
      const add = await ctx.req({
        method: "POST",
        path: `/api/conversations/${g.id}/members`,
        auth: a.token,
        body: { agent_id: b.id },
      });
      expectError(add, 403, "blocked", "adding B back");
      expectStatus(await ctx.req({ method: "DELETE", path, auth: b.token }), 204, "unblocking");
      const back = await ctx.req({
        method: "POST",
        path: `/api/conversations/${g.id}/members`,
        auth: a.token,
        body: { agent_id: b.id },
      });
      expectStatus(back, 201, "adding B after the unblock");
    },
  },
  {
    id: "block-direct",
    ref: "PUT /api/blocks/conversations/{conversation_id}",
    title:
      "blocking a direct conversation hides it from the caller's list and unread counts; neither side can send (403 blocked) until unblocked",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const d = await openDirect(ctx, a, b);
      await send(b, d.id, "before");
      const path = `/api/blocks/conversations/${d.id}`;
      expectStatus(
        await ctx.req({ method: "PUT", path, auth: a.token }),
        201,
        "A blocks the conversation",
      );
      const list = await ctx.req({ method: "GET", path: "/api/conversations", auth: a.token });
      expectEqual(
        ids(list.json.data).includes(d.id),
        false,
        "the direct conversation in A's list",
        list,
      );
      for (const x of [a, b]) {
        const res = await ctx.req({
          method: "POST",
          path: `/api/conversations/${d.id}/messages`,
          auth: x.token,
          body: { content: "hi" },
        });
        expectError(res, 403, "blocked", `${x === a ? "A" : "B"} sending`);
      }
      expectStatus(await ctx.req({ method: "DELETE", path, auth: a.token }), 204, "unblocking");
      const after = await ctx.req({
        method: "POST",
        path: `/api/conversations/${d.id}/messages`,
        auth: b.token,
        body: { content: "again" },
      });
      expectStatus(after, 201, "sending after the unblock");
    },
  },
  {
    id: "block-conversation-refusals",
    ref: "PUT /api/blocks/conversations/{conversation_id} (spec: members only; sole owner → last_owner)",
    title:
      "blocking a conversation one is not in → 404; the sole owner of a group with others → 409 last_owner",
    async run(ctx) {
      const [a, b, c] = await ctx.agents(3);
      const g = await createGroup(ctx, a, [b]);
      const outsider = await ctx.req({
        method: "PUT",
        path: `/api/blocks/conversations/${g.id}`,
        auth: c.token,
      });
      expectError(outsider, 404, "not_found", "a non-member blocking");
      const owner = await ctx.req({
        method: "PUT",
        path: `/api/blocks/conversations/${g.id}`,
        auth: a.token,
      });
      expectError(owner, 409, "last_owner", "the sole owner blocking");
    },
  },
  {
    id: "list-blocks",
    ref: "GET /api/blocks",
    title: "the caller's blocks, newest first, filtered by type, paginated",
    async run(ctx) {
      const [a, b, c] = await ctx.agents(3);
      const g = await createGroup(ctx, b, [a]);
      const ab = await ctx.req({
        method: "PUT",
        path: `/api/blocks/agents/${b.id}`,
        auth: a.token,
      });
      const ac = await ctx.req({
        method: "PUT",
        path: `/api/blocks/agents/${c.id}`,
        auth: a.token,
      });
      const ag = await ctx.req({
        method: "PUT",
        path: `/api/blocks/conversations/${g.id}`,
        auth: a.token,
      });
      const all = await ctx.req({ method: "GET", path: "/api/blocks", auth: a.token });
      expectStatus(all, 200);
      expectEqual(
        ids(all.json.data),
        [ag.json.id, ac.json.id, ab.json.id],
        "all blocks, newest first",
        all,
      );
      const agents = await ctx.req({
        method: "GET",
        path: "/api/blocks",
        auth: a.token,
        query: { type: "agent", limit: 1 },
      });
      expectEqual(ids(agents.json.data), [ac.json.id], "first agent block", agents);
      const next = await ctx.req({
        method: "GET",
        path: "/api/blocks",
        auth: a.token,
        query: { type: "agent", limit: 1, cursor: agents.json.next_cursor },
      });
      expectEqual(
        [ids(next.json.data), next.json.has_more],
        [[ab.json.id], false],
        "second page",
        next,
      );
      const convs = await ctx.req({
        method: "GET",
        path: "/api/blocks",
        auth: a.token,
        query: { type: "conversation" },
      });
      expectEqual(ids(convs.json.data), [ag.json.id], "conversation blocks", convs);
      const bad = await ctx.req({
        method: "GET",
        path: "/api/blocks",
        auth: a.token,
        query: { type: "user" },
      });
      expectError(bad, 422, "validation_failed", "type=user");
    },
  },
]);
