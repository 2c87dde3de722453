import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startWireServer } from "../../test/support/events-wire.js";
import { createFluxraClient } from "../client.js";
import { AuthenticationError, CursorExpiredError, NotFoundError } from "../core/error.js";
import type { EventStream } from "./stream.js";
import type { FeedEvent } from "./types.js";

let wire: Awaited<ReturnType<typeof startWireServer>>;
beforeEach(async () => {
  wire = await startWireServer();
});
afterEach(() => wire.close());

const client = () => createFluxraClient({ baseUrl: wire.baseUrl, accessToken: "ok" });
const fast = { reconnect: { initialDelayMs: 20, maxDelayMs: 100 } };
const n = (e: FeedEvent) => (e.data as unknown as { n: number }).n;
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

/** Takes `count` events from `stream`, recording the cursor after each; then stops it. */
async function take(stream: EventStream, count: number, onStart?: () => void) {
  const got: { n: number; cursor: string | undefined }[] = [];
  onStart?.();
  for await (const event of stream) {
    got.push({ n: n(event), cursor: stream.cursor });
    if (got.length === count) break;
  }
  return got;
}

describe.each(["sse", "long-poll"] as const)("events.stream over %s", (transport) => {
  it("starts at now, then yields each event once, in order, with the cursor after it", async () => {
    wire.emit(3); // the past: not delivered
    const stream = client().events.stream({ transport, ...fast });
    const got = take(stream, 4);
    await until(() => stream.cursor === "c3");
    wire.emit(4);
    expect((await got).map((g) => g.n)).toEqual([4, 5, 6, 7]);
    expect(stream.transport).toBe(transport);
  });

  it("resumes from a persisted cursor after a restart: no duplicate, no gap", async () => {
    wire.emit(5);
    const first = await take(client().events.stream({ transport, cursor: "c0", ...fast }), 2);
    expect(first.map((g) => g.n)).toEqual([1, 2]);
    const resumed = client().events.stream({ transport, cursor: first[1]?.cursor, ...fast });
    expect((await take(resumed, 3)).map((g) => g.n)).toEqual([3, 4, 5]);
  });

  it("throws CursorExpiredError for an expired cursor", async () => {
    const stream = client().events.stream({ transport, cursor: "expired", ...fast });
    await expect(take(stream, 1)).rejects.toBeInstanceOf(CursorExpiredError);
  });

  it("reconnects with growing jittered backoff after 503s, honouring Retry-After", async () => {
    wire.emit(2);
    for (let i = 0; i < 3; i++)
      wire.faults.push({ kind: "status", status: 503, code: "service_unavailable" });
    wire.faults.push({
      kind: "status",
      status: 429,
      code: "rate_limited",
      headers: { "retry-after": "0.3" },
    });
    const got = await take(client().events.stream({ transport, cursor: "c0", ...fast }), 2);
    expect(got.map((g) => g.n)).toEqual([1, 2]);
    const gaps = wire.seen.slice(1, 5).map((s, i) => s.at - (wire.seen[i]?.at ?? 0));
    // 20, 40, 80 ms backoff (at least half of each, jittered), then the server's 300 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[1]).toBeGreaterThanOrEqual(19);
    expect(gaps[2]).toBeGreaterThanOrEqual(39);
    expect(gaps[3]).toBeGreaterThanOrEqual(290);
  });

  it("raises the 404 of a server without the feed instead of falling back", async () => {
    wire.faults.push({ kind: "status", status: 404, code: "route_not_found" });
    const stream = client().events.stream({ transport, ...fast });
    await expect(take(stream, 1)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("renews the access token through the client's credentials on a 401", async () => {
    let calls = 0;
    const renewing = createFluxraClient({
      baseUrl: wire.baseUrl,
      credentials: async () => ({ accessToken: ++calls === 1 ? "stale" : "ok" }),
    });
    wire.emit(1);
    const got = await take(renewing.events.stream({ transport, cursor: "c0", ...fast }), 1);
    expect(got.map((g) => g.n)).toEqual([1]);
    expect(wire.seen.map((s) => s.authorization)).toEqual(["Bearer stale", "Bearer ok"]);
  });

  it("stops promptly on close() while waiting, and on the AbortSignal", async () => {
    const stream = client().events.stream({ transport, ...fast });
    const pending = stream[Symbol.asyncIterator]().next();
    await until(() => wire.seen.length >= (transport === "sse" ? 1 : 2));
    const t0 = performance.now();
    stream.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(performance.now() - t0).toBeLessThan(500);
    await until(() => wire.closedSockets() >= wire.seen.length);

    const before = wire.seen.length;
    const early = new AbortController();
    early.abort();
    const never = client().events.stream({ transport, signal: early.signal });
    expect(await never[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
    expect(wire.seen.length).toBe(before); // an aborted signal sends nothing

    const controller = new AbortController();
    const aborted = client().events.stream({ transport, signal: controller.signal, ...fast });
    const next = aborted[Symbol.asyncIterator]().next();
    setTimeout(() => controller.abort(), 50);
    expect(await next).toEqual({ done: true, value: undefined });
  }, 15_000);
});

describe("events.stream over SSE", () => {
  it("resumes after a dropped connection from the last id, without duplicates", async () => {
    wire.emit(6);
    wire.faults.push({ kind: "drop-after", events: 2 }, { kind: "drop-after", events: 1 });
    const got = await take(client().events.stream({ transport: "sse", cursor: "c0", ...fast }), 6);
    expect(got.map((g) => g.n)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(wire.seen.map((s) => s.cursor)).toEqual(["c0", "c2", "c3"]);
  });

  it("closes the connection on break and reconnects when the stream goes silent", async () => {
    wire.emit(1);
    wire.faults.push({ kind: "silent" });
    const stream = client().events.stream({
      transport: "sse",
      cursor: "c0",
      heartbeatTimeoutMs: 150,
      ...fast,
    });
    expect((await take(stream, 1)).map((g) => g.n)).toEqual([1]);
    expect(wire.seen).toHaveLength(2);
    await until(() => wire.openStreams() === 0);
  });

  it("auto uses long-poll when the server answers an SSE request with JSON", async () => {
    wire.emit(2);
    wire.faults.push({ kind: "json-only" });
    const stream = client().events.stream({ cursor: "c0", ...fast });
    const got = await take(stream, 2);
    expect(got.map((g) => g.n)).toEqual([1, 2]);
    expect(stream.transport).toBe("long-poll");
  });
});

describe("events.stream over long-poll", () => {
  it("gives a mid-page cursor that resumes exactly after that event", async () => {
    wire.emit(4);
    const got = await take(client().events.stream({ transport: "long-poll", cursor: "c0" }), 2);
    expect(got).toEqual([
      { n: 1, cursor: "c0~1" },
      { n: 2, cursor: "c0~2" },
    ]);
    const resumed = client().events.stream({ transport: "long-poll", cursor: "c0~2" });
    expect(await take(resumed, 2)).toEqual([
      { n: 3, cursor: "c0~3" },
      { n: 4, cursor: "c4" },
    ]);
  });

  it("holds each request for `wait` seconds and answers as soon as an event arrives", async () => {
    const stream = client().events.stream({ transport: "long-poll", wait: 20 });
    const got = take(stream, 1);
    await until(() => wire.seen.length === 2);
    expect(wire.seen.map((s) => s.wait)).toEqual([0, 20]);
    const t0 = performance.now();
    wire.emit(1);
    expect((await got).map((g) => g.n)).toEqual([1]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe("events.poll", () => {
  it("returns one page and throws typed errors", async () => {
    const events = client().events;
    wire.emit(2);
    expect(await events.poll({ cursor: "c0", limit: 1 })).toMatchObject({
      data: [{ data: { n: 1 } }],
      next_cursor: "c1",
    });
    await expect(events.poll({ cursor: "expired" })).rejects.toMatchObject({
      name: "CursorExpiredError",
      status: 410,
      code: "cursor_expired",
    });
    wire.accepted.clear();
    await expect(events.poll()).rejects.toBeInstanceOf(AuthenticationError);
  });
});
