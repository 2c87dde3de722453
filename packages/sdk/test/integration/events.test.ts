import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CursorExpiredError, UnprocessableEntityError } from "../../src/core/error.js";
import type { EventStream } from "../../src/events/stream.js";
import type { FeedEvent } from "../../src/events/types.js";
import { onboard } from "../support/onboard.js";
import { startServer, type TestServer } from "../support/server.js";

// The feed of the reference server, over real HTTP on loopback.
let server: TestServer;
let baseUrl: string;
beforeAll(async () => {
  server = startServer();
  baseUrl = await server.listen();
});
afterAll(() => server.close());

/** Iterates `stream` in the background until `count` events; with the cursor after each. */
function collect(stream: EventStream, count: number) {
  const got: { event: FeedEvent; cursor: string | undefined }[] = [];
  const done = (async () => {
    for await (const event of stream) {
      got.push({ event, cursor: stream.cursor });
      if (got.length === count) break;
    }
    return got;
  })();
  return { got, done };
}

/** The message id of a message event (the type otherwise, which fails any id comparison). */
const idOf = (e: FeedEvent) => (e.type === "message.created" ? e.data.id : e.type);

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

/** A bot and a peer sharing a direct conversation. */
async function pair() {
  const bot = await onboard({ baseUrl });
  const peer = await onboard({ baseUrl });
  const dm = await peer.client.conversations.create({ type: "direct", agent_id: bot.agent.id });
  const say = (content: string) => peer.client.messages.send(dm.id, { content });
  return { bot, peer, dm, say };
}

describe.each(["sse", "long-poll"] as const)(
  "events.stream over %s (reference server)",
  (transport) => {
    it("delivers message.created for a send, typed, starting at now", async () => {
      const { bot, dm, say } = await pair();
      await say("the past");
      const stream = bot.client.events.stream({ transport });
      const run = collect(stream, 1);
      await until(() => stream.cursor !== undefined);
      const t0 = performance.now();
      const sent = await say("hello bot");
      const [first] = await run.done;
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(first?.event).toMatchObject({ type: "message.created", conversation_id: dm.id });
      expect(first?.event.data).toEqual(sent);
      expect(stream.transport).toBe(transport);
    });

    it("resumes after a disconnect from the last delivered cursor: no duplicate, no gap", async () => {
      const { bot, say } = await pair();
      const start = await bot.client.events.poll();
      const sent = [];
      for (let i = 0; i < 5; i++) sent.push(await say(`m${i}`));
      const firstRun = await collect(
        bot.client.events.stream({ transport, cursor: start.next_cursor, limit: 3 }),
        2,
      ).done;
      for (let i = 5; i < 7; i++) sent.push(await say(`m${i}`));
      const resumed = await collect(
        bot.client.events.stream({ transport, cursor: firstRun[1]?.cursor, limit: 3 }),
        5,
      ).done;
      const ids = [...firstRun, ...resumed].map((g) => idOf(g.event));
      expect(ids).toEqual(sent.map((m) => m.id));
    });

    it("throws CursorExpiredError for a cursor older than the retention window", async () => {
      const { bot, say } = await pair();
      const start = await bot.client.events.poll();
      await say("soon swept");
      server.clock.advance(1000);
      await server.store.events.sweep(server.clock.now());
      const run = collect(bot.client.events.stream({ transport, cursor: start.next_cursor }), 1);
      await expect(run.done).rejects.toBeInstanceOf(CursorExpiredError);
    });
  },
);

describe("events.poll (reference server)", () => {
  it("long-polls: answers when a message is sent, and after `wait` when none is", async () => {
    const { bot, say } = await pair();
    const { next_cursor, data } = await bot.client.events.poll();
    expect(data).toEqual([]);
    const t0 = performance.now();
    const held = bot.client.events.poll({ cursor: next_cursor, wait: 10 });
    await new Promise((r) => setTimeout(r, 100));
    const sent = await say("wake up");
    const page = await held;
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(page.data.map((e) => [e.type, idOf(e)])).toEqual([["message.created", sent.id]]);
    const t1 = performance.now();
    const idle = await bot.client.events.poll({ cursor: page.next_cursor, wait: 1 });
    expect(idle.data).toEqual([]);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(900);
  });

  it("rejects another agent's cursor with a typed 422", async () => {
    const { bot, peer } = await pair();
    const theirs = await peer.client.events.poll();
    await expect(bot.client.events.poll({ cursor: theirs.next_cursor })).rejects.toBeInstanceOf(
      UnprocessableEntityError,
    );
  });
});
