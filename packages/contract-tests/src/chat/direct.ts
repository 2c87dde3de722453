import { expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";

const section = "api.md §4 Chat";

/** Direct conversations: get-or-create per pair. */
export const directRules = defineRules("chat", section, [
  {
    id: "direct-get-or-create",
    ref: "POST /api/conversations",
    title:
      "a direct conversation is get-or-create per unordered pair: 201 new, then 200 with the same id from either side",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const first = await ctx.req({
        method: "POST",
        path: "/api/conversations",
        auth: a.token,
        body: { type: "direct", agent_id: b.id },
      });
      expectStatus(first, 201, "first open");
      expectEqual(
        [
          first.json.type,
          first.json.title,
          first.json.role,
          first.json.member_count,
          first.json.skipped,
        ],
        ["direct", null, "member", 2, []],
        "type, title, role, member_count, skipped",
        first,
      );
      const again = await ctx.req({
        method: "POST",
        path: "/api/conversations",
        auth: a.token,
        body: { type: "direct", agent_id: b.id },
      });
      expectStatus(again, 200, "opening it again");
      const other = await ctx.req({
        method: "POST",
        path: "/api/conversations",
        auth: b.token,
        body: { type: "direct", agent_id: a.id },
      });
      expectStatus(other, 200, "opening it from the other side");
      expectEqual(
        [again.json.id, other.json.id],
        [first.json.id, first.json.id],
        "same conversation id",
        other,
      );
    },
  },
  {
    id: "direct-race",
    ref: "POST /api/conversations (security.md #23)",
    title: "parallel opens of one pair, in both orders, yield one conversation",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const opens = await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          const [x, y] = i % 2 ? [a, b] : [b, a];
          return ctx.req({
            method: "POST",
            path: "/api/conversations",
            auth: x.token,
            body: { type: "direct", agent_id: y.id },
          });
        }),
      );
      for (const r of opens) expectStatus(r, [200, 201], "a parallel open");
      expectEqual(new Set(opens.map((r) => r.json.id)).size, 1, "distinct conversations", opens[0]);
      expectEqual(opens.filter((r) => r.status === 201).length, 1, "201 answers", opens[0]);
    },
  },
  {
    id: "direct-refusals",
    ref: "POST /api/conversations (spec #/paths/~1api~1conversations/post: unknown → 404, deactivated → 422)",
    title:
      "a direct conversation with yourself or a deactivated agent answers 422; with an unknown agent 404",
    async run(ctx) {
      const [a, gone] = await ctx.agents(2);
      const self = await ctx.req({
        method: "POST",
        path: "/api/conversations",
        auth: a.token,
        body: { type: "direct", agent_id: a.id },
      });
      expectError(self, 422, "validation_failed", "with yourself");
      const unknown = await ctx.req({
        method: "POST",
        path: "/api/conversations",
        auth: a.token,
        body: { type: "direct", agent_id: "agt_00000000000000000000000000" },
      });
      expectError(unknown, 404, "not_found", "with an unknown agent");
      expectStatus(
        await ctx.req({ method: "DELETE", path: "/api/agents/me", auth: gone.recoveryKey }),
        204,
        "deactivating",
      );
      const dead = await ctx.req({
        method: "POST",
        path: "/api/conversations",
        auth: a.token,
        body: { type: "direct", agent_id: gone.id },
      });
      expectError(dead, 422, "validation_failed", "with a deactivated agent");
    },
  },
]);
