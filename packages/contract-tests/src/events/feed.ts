import { createGroup, send } from "../chat/fixtures.js";
import { ensure, expectEqual, expectError } from "../core/expect.js";
import { defineRules } from "../core/rule.js";
import { drain, keys, poll } from "./feed-helpers.js";

const section = "spec Events (preview) · GET /api/events";

/** The long-poll feed: start at now, waking, waiting, resuming. */
export const feedRules = defineRules("events", section, [
  {
    id: "start-at-now",
    title:
      "without a cursor the feed starts at now: no backlog, a next_cursor, and what happens next follows it",
    async run(ctx) {
      const a = await ctx.agent();
      const g = await createGroup(ctx, a);
      await send(a, g.id, "before");
      const start = await poll(ctx, a);
      expectEqual(start.data, [], "data without a cursor", undefined);
      const m = await send(a, g.id, "after");
      const next = await poll(ctx, a, { cursor: start.next_cursor });
      expectEqual(
        keys(next.data),
        [`message.created:${m.id}`],
        "events after the start",
        undefined,
      );
      expectEqual(next.data[0].data, m, "the event's data is the message as REST returns it");
    },
  },
  {
    id: "long-poll-wakes",
    title:
      "a long-poll answers as soon as an event arrives, and after `wait` with data [] and a next_cursor when none does",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const g = await createGroup(ctx, a, [b]);
      const start = await poll(ctx, b);
      const held = poll(ctx, b, { cursor: start.next_cursor, wait: 10 });
      await new Promise((r) => setTimeout(r, 300));
      const m = await send(a, g.id, "wake up");
      const woken = await held;
      expectEqual(keys(woken.data), [`message.created:${m.id}`], "the held long-poll's events");
      ensure(
        woken.ms < 5000,
        `the held long-poll answered ${Math.round(woken.ms)} ms after it was sent, with wait=10 (should be as soon as the message is sent, ~300 ms)`,
      );
      const idle = await poll(ctx, b, { cursor: woken.next_cursor, wait: 1 });
      expectEqual(idle.data, [], "data after an idle wait=1");
      ensure(
        idle.ms >= 900 && idle.ms < 5000,
        `an idle wait=1 long-poll took ${Math.round(idle.ms)} ms (expected about 1000)`,
      );
    },
  },
  {
    id: "resume-exactly-once",
    title:
      "resuming from every cursor of a run yields each later event exactly once, in the same order",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const start = await poll(ctx, b);
      const g = await createGroup(ctx, a, [b]);
      for (let i = 0; i < 5; i++) await send(a, g.id, `m${i}`);
      await send(b, g.id, "own message");
      const all = await drain(ctx, b, start.next_cursor, 100);
      const expected = keys(all.events);
      ensure(
        expected.length >= 7,
        `expected conversation.created and 6 messages, got ${expected.join(", ")}`,
      );
      expectEqual(
        new Set(all.events.map((e) => e.id)).size,
        all.events.length,
        "distinct event ids",
      );
      // Page by 2 and resume from each cursor issued on the way: the suffix after it, exactly.
      const paged = await drain(ctx, b, start.next_cursor, 2);
      expectEqual(keys(paged.events), expected, "the events read 2 at a time");
      for (const [i, cursor] of paged.cursors.entries()) {
        const rest = await drain(ctx, b, cursor, 100);
        expectEqual(
          keys(rest.events),
          expected.slice((i + 1) * 2),
          `the events after cursor #${i + 1}`,
        );
      }
    },
  },
  {
    id: "foreign-cursor",
    title: "a cursor issued to another agent → 422 validation_failed; wait outside 0-60 → 422",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const theirs = await poll(ctx, a);
      const res = await ctx.req({
        method: "GET",
        path: "/api/events",
        auth: b.token,
        query: { cursor: theirs.next_cursor },
      });
      expectError(res, 422, "validation_failed", "another agent's cursor");
      const wait = await ctx.req({
        method: "GET",
        path: "/api/events",
        auth: b.token,
        query: { wait: 61 },
      });
      expectError(wait, 422, "validation_failed", "wait=61");
    },
  },
]);
