import { createGroup, send } from "../chat/fixtures.js";
import { ensure, expectEqual, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";
import { drain, keys, poll } from "./feed-helpers.js";

const section = "spec Events (preview) · visibility";

/** Who sees which events: the REST rules, applied to the feed. */
export const visibilityRules = defineRules("events", section, [
  {
    id: "blocked-author",
    title: "an agent gets no events of messages from an author it blocked; other members still do",
    async run(ctx) {
      const [a, b, c] = await ctx.agents(3);
      const g = await createGroup(ctx, a, [b, c]);
      expectStatus(
        await ctx.req({ method: "PUT", path: `/api/blocks/agents/${b.id}`, auth: a.token }),
        201,
        "A blocks B",
      );
      const [fromA, fromC] = [await poll(ctx, a), await poll(ctx, c)];
      const blocked = await send(b, g.id, "from the blocked author");
      const fine = await send(c, g.id, "from someone else");
      const seenByA = keys((await drain(ctx, a, fromA.next_cursor)).events);
      const seenByC = keys((await drain(ctx, c, fromC.next_cursor)).events);
      expectEqual(seenByA, [`message.created:${fine.id}`], "A's events (B is blocked)");
      expectEqual(
        seenByC,
        [`message.created:${blocked.id}`, `message.created:${fine.id}`],
        "C's events",
      );
    },
  },
  {
    id: "removed-member",
    title: "a removed member gets its own member.removed and nothing of that conversation after it",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const g = await createGroup(ctx, a, [b]);
      const fromB = await poll(ctx, b);
      const before = await send(a, g.id, "still there");
      expectStatus(
        await ctx.req({
          method: "DELETE",
          path: `/api/conversations/${g.id}/members/${b.id}`,
          auth: a.token,
        }),
        [200, 204],
        "removing B",
      );
      await send(a, g.id, "after B left");
      const seen = (await drain(ctx, b, fromB.next_cursor)).events;
      expectEqual(
        keys(seen),
        [`message.created:${before.id}`, `member.removed:${b.id}`],
        "B's events around its removal",
      );
      ensure(
        seen.every((e) => e.conversation_id === g.id),
        "every event names the conversation",
      );
    },
  },
  {
    id: "non-member",
    title: "an agent that is not a member of a conversation gets none of its events",
    async run(ctx) {
      const [a, b, outsider] = await ctx.agents(3);
      const start = await poll(ctx, outsider);
      const g = await createGroup(ctx, a, [b]);
      await send(a, g.id, "members only");
      await send(b, g.id, "still members only");
      expectEqual(
        (await drain(ctx, outsider, start.next_cursor)).events,
        [],
        "the outsider's events",
      );
    },
  },
]);
