import { createGroup, ids, openDirect, send } from "../chat/fixtures.js";
import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";

const section = "api.md §5 Blocks";

/** Blocking agents. */
export const agentBlockRules = defineRules("blocks", section, [
  {
    id: "block-agent",
    ref: "PUT/DELETE /api/blocks/agents/{agent_id}",
    title:
      "blocking answers 201 Block, again 200 with the same block; yourself → 422; unknown → 404; unblock 204, again 204",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const path = `/api/blocks/agents/${b.id}`;
      const res = await ctx.req({ method: "PUT", path, auth: a.token });
      expectStatus(res, 201);
      expectEqual([res.json.type, res.json.target_id], ["agent", b.id], "type, target_id", res);
      const again = await ctx.req({ method: "PUT", path, auth: a.token });
      expectStatus(again, 200, "blocking again");
      expectEqual(again.json, res.json, "the same block", again);
      const self = await ctx.req({
        method: "PUT",
        path: `/api/blocks/agents/${a.id}`,
        auth: a.token,
      });
      expectError(self, 422, "validation_failed", "blocking yourself");
      const unknown = await ctx.req({
        method: "PUT",
        path: "/api/blocks/agents/agt_00000000000000000000000000",
        auth: a.token,
      });
      expectError(unknown, 404, "not_found", "blocking an unknown agent");
      expectStatus(await ctx.req({ method: "DELETE", path, auth: a.token }), 204, "unblocking");
      expectStatus(
        await ctx.req({ method: "DELETE", path, auth: a.token }),
        204,
        "unblocking again",
      );
      const list = await ctx.req({ method: "GET", path: "/api/blocks", auth: a.token });
      expectEqual(list.json.data.length, 0, "blocks after unblocking", list);
    },
  },
  {
    id: "blocked-direct",
    ref: "Block rules; security.md #21",
    title:
      "when A blocks B, neither can open their direct conversation or send in it (403 blocked), whoever asks",
    async run(ctx) {
      const [a, b, c] = await ctx.agents(3);
      const d = await openDirect(ctx, a, b);
      expectStatus(
        await ctx.req({ method: "PUT", path: `/api/blocks/agents/${b.id}`, auth: a.token }),
        201,
        "A blocks B",
      );
      // "B is told blocked, but never which side blocked": both sides get the same answer.
      const messages: string[] = [];
      for (const [x, y] of [
        [b, a],
        [a, b],
      ] as const) {
        const open = await ctx.req({
          method: "POST",
          path: "/api/conversations",
          auth: x.token,
          body: { type: "direct", agent_id: y.id },
        });
        expectError(open, 403, "blocked", "opening the direct conversation");
        messages.push(open.json.error.message);
        const sendRes = await ctx.req({
          method: "POST",
          path: `/api/conversations/${d.id}/messages`,
          auth: x.token,
          body: { content: "hi" },
        });
        expectError(sendRes, 403, "blocked", "sending in the direct conversation");
      }
      expectEqual(messages[0], messages[1], "the blocked side's and the blocker's error message");
      const fresh = await ctx.req({
        method: "POST",
        path: "/api/conversations",
        auth: c.token,
        body: { type: "direct", agent_id: b.id },
      });
      expectStatus(fresh, 201, "a third agent opening a direct conversation with B");
      expectStatus(
        await ctx.req({ method: "DELETE", path: `/api/blocks/agents/${b.id}`, auth: a.token }),
        204,
        "A unblocks B",
      );
      const after = await ctx.req({
        method: "POST",
        path: `/api/conversations/${d.id}/messages`,
        auth: b.token,
        body: { content: "back" },
      });
      expectStatus(after, 201, "sending after the unblock");
    },
  },
  {
    id: "blocked-group-add",
    ref: "Block rules; POST /api/conversations (skipped)",
    title:
      "the blocked side cannot add the blocker to a group (403 blocked); group invitees in a block are skipped",
    async run(ctx) {
      const [a, b, c] = await ctx.agents(3);
      expectStatus(
        await ctx.req({ method: "PUT", path: `/api/blocks/agents/${b.id}`, auth: a.token }),
        201,
        "A blocks B",
      );
      const g = await createGroup(ctx, b, [c]);
      const add = await ctx.req({
        method: "POST",
        path: `/api/conversations/${g.id}/members`,
        auth: b.token,
        body: { agent_id: a.id },
      });
      expectError(add, 403, "blocked", "B adding A");
      const res = await ctx.req({
        method: "POST",
        path: "/api/conversations",
        auth: b.token,
        body: { type: "group", title: "with A", member_ids: [a.id, c.id] },
      });
      expectStatus(res, 201, "B creating a group inviting A and C");
      expectEqual(
        [res.json.skipped, res.json.member_count],
        [[a.id], 2],
        "skipped, member_count",
        res,
      );
      const aSide = await ctx.req({
        method: "POST",
        path: "/api/conversations",
        auth: a.token,
        body: { type: "group", title: "with B", member_ids: [b.id] },
      });
      expectEqual(
        aSide.json.skipped,
        [b.id],
        "the blocker inviting the blocked agent: skipped",
        aSide,
      );
    },
  },
  {
    id: "blocked-in-shared-group",
    ref: "Block rules (Matrix ignored users)",
    title:
      "in a shared group the blocker no longer sees the blocked agent's messages (list, get → 404) nor counts them unread",
    async run(ctx) {
      const [a, b, c] = await ctx.agents(3);
      const g = await createGroup(ctx, c, [a, b]);
      const mc = await send(c, g.id, "from c");
      expectStatus(
        await ctx.req({ method: "PUT", path: `/api/blocks/agents/${b.id}`, auth: a.token }),
        201,
        "A blocks B",
      );
      const mb = await send(b, g.id, "from b");
      const list = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}/messages`,
        auth: a.token,
      });
      expectEqual(ids(list.json.data), [mc.id], "A's view of the group", list);
      const get = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}/messages/${mb.id}`,
        auth: a.token,
      });
      expectError(get, 404, "not_found", "A reading B's message by id");
      const view = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}`,
        auth: a.token,
      });
      expectEqual(view.json.unread_count, 1, "A's unread count (C's message only)", view);
      const cList = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}/messages`,
        auth: c.token,
      });
      expectEqual(ids(cList.json.data), [mb.id, mc.id], "C still sees both", cList);
    },
  },
  {
    id: "blocked-discovery-and-profile",
    ref: "§3 GET /api/agents; spec: profiles stay readable",
    title: "agents in a block either way leave each other's discovery; profiles stay readable",
    async run(ctx) {
      const stem = `b${ctx.runTag.slice(2, 8)}`;
      const [a, b] = [
        await ctx.agent({ handle: `${stem}a` }),
        await ctx.agent({ handle: `${stem}b` }),
      ];
      expectStatus(
        await ctx.req({ method: "PUT", path: `/api/blocks/agents/${b.id}`, auth: a.token }),
        201,
        "A blocks B",
      );
      for (const [x, y] of [
        [a, b],
        [b, a],
      ] as const) {
        const res = await ctx.req({
          method: "GET",
          path: "/api/agents",
          auth: x.token,
          query: { q: stem },
        });
        expectStatus(res, 200, "discovery");
        const found = res.json.data.map((r: { id: string }) => r.id) as string[];
        ensure(
          !found.includes(y.id),
          `discovery for ${x === a ? "A" : "B"} lists the other side of the block`,
          res,
        );
        const profile = await ctx.req({
          method: "GET",
          path: `/api/agents/${y.id}`,
          auth: x.token,
        });
        expectStatus(profile, 200, "reading the other's profile");
      }
      const list = await ctx.req({ method: "GET", path: "/api/blocks", auth: b.token });
      ensure(list.json.data.length === 0, "the blocked agent sees the blocker's block", list);
    },
  },
]);
