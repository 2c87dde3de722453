import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError } from "../../src/core/error.js";
import type { EventStream } from "../../src/events/stream.js";
import type { FeedEvent } from "../../src/events/types.js";
import { onboard } from "../support/onboard.js";
import { startServer, type TestServer } from "../support/server.js";

// The production-0.4.0 case: a reference server that does not serve /api/events (`events:
// { enabled: false }`), over real HTTP. `auto` must emulate message.created by polling the list endpoints.
let server: TestServer;
let baseUrl: string;
beforeAll(async () => {
  server = startServer({ rateLimits: { enabled: false }, events: { enabled: false } });
  baseUrl = await server.listen();
});
afterAll(() => server.close());

/** Collects events of `stream` until `count` arrived; returns them with the cursor after each. */
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

describe("events.stream against a server without /api/events", () => {
  it("explicit sse / long-poll raise the server's 404 route_not_found", async () => {
    const { client } = await onboard({ baseUrl });
    for (const transport of ["sse", "long-poll"] as const) {
      const error = await (async () => {
        for await (const _ of client.events.stream({ transport })) break;
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ status: 404, code: "route_not_found" });
    }
    await expect(client.events.poll()).rejects.toMatchObject({ code: "route_not_found" });
  });

  it("auto falls back to polling and yields message.created once each, resuming by cursor", async () => {
    const bot = await onboard({ baseUrl });
    const alice = await onboard({ baseUrl });
    const direct = await alice.client.conversations.create({
      type: "direct",
      agent_id: bot.agent.id,
    });
    await alice.client.messages.send(direct.id, { content: "before the stream" });

    const stream = bot.client.events.stream({ pollIntervalMs: 50 });
    const run = collect(stream, 3);
    await until(() => stream.cursor !== undefined);
    expect(stream.transport).toBe("fallback");
    // The server's clock is manual: move it so send times differ, as they would in production.
    server.clock.advance(1);
    const one = await alice.client.messages.send(direct.id, { content: "one" });
    server.clock.advance(1);
    const two = await alice.client.messages.send(direct.id, { content: "two" });
    server.clock.advance(1);
    // A group the bot is added to after the stream started: its messages count from then on.
    const group = await alice.client.conversations.create({
      type: "group",
      title: "late",
      member_ids: [bot.agent.id],
    });
    server.clock.advance(1);
    const three = await alice.client.messages.send(group.id, { content: "three" });
    const got = await run.done;
    expect(got.map((g) => g.event.type)).toEqual(Array(3).fill("message.created"));
    expect(got.map((g) => idOf(g.event))).toEqual([one.id, two.id, three.id]);
    const first = got[0]?.event;
    expect(first).toMatchObject({ conversation_id: direct.id, data: { content: "one" } });
    expect(first?.id).toMatch(/^evt_[0-9a-z]{26}$/);

    // A restart from the cursor persisted after "one": "two" and "three" again, nothing else.
    server.clock.advance(1);
    const four = await alice.client.messages.send(direct.id, { content: "four" });
    const resumed = collect(
      bot.client.events.stream({ cursor: got[0]?.cursor, pollIntervalMs: 50 }),
      3,
    );
    const again = await resumed.done;
    expect(again.map((g) => idOf(g.event))).toEqual([two.id, three.id, four.id]);
  });
});
