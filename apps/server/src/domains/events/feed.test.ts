import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, registerAgent, type TestApp } from "../../testing/index.js";
import { createGroup, openDirect, send } from "../chat/chat-fixtures.js";
import { drain, nowCursor, poll, summary } from "./event-fixtures.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

describe("GET /api/events (long-poll)", () => {
  it("starts at now without a cursor, then delivers what happens after it", async () => {
    t = createTestApp();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    await send(t, a, dm.id, "before");
    const aStart = await nowCursor(t, a);
    const first = await poll(t, b);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual([]);
    const sent = await send(t, a, dm.id, "after");
    const next = await poll(t, b, { cursor: first.body.next_cursor });
    expect(next.body.data).toHaveLength(1);
    const [event] = next.body.data;
    expect(event.type).toBe("message.created");
    expect(event.conversation_id).toBe(dm.id);
    expect(event.id).toMatch(/^evt_/);
    expect(event.data).toEqual(sent);
    // The author's own sessions are told too.
    const own = await drain(t, a, aStart);
    expect(summary(own.events)).toEqual(["message.created:after"]);
  });

  it("answers a held long-poll as soon as an event commits", async () => {
    t = createTestApp();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    const cursor = await nowCursor(t, b);
    const started = Date.now();
    const held = poll(t, b, { cursor, wait: 20 });
    await new Promise((r) => setTimeout(r, 100));
    await send(t, a, dm.id, "ping");
    const res = await held;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(summary(res.body.data)).toEqual(["message.created:ping"]);
  });

  it("answers after `wait` with no events and a cursor that still resumes exactly", async () => {
    t = createTestApp();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    const cursor = await nowCursor(t, b);
    const started = Date.now();
    const res = await poll(t, b, { cursor, wait: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(res.body.data).toEqual([]);
    await send(t, a, dm.id, "later");
    expect(summary((await drain(t, b, res.body.next_cursor)).events)).toEqual([
      "message.created:later",
    ]);
  });

  it("keeps one order that respects seq, and resuming from every cursor yields each later event once", async () => {
    t = createTestApp();
    const [a, b, c] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    const group = await createGroup(t, a, [b, c]);
    const start = await nowCursor(t, b);
    // Concurrent sends to two conversations (SQLite group-commits them into shared batches).
    const sends = [];
    for (let i = 0; i < 12; i++) {
      const inGroup = i % 3 !== 0;
      sends.push(send(t, inGroup && i % 2 ? c : a, inGroup ? group.id : dm.id, `m${i}`));
    }
    await Promise.all(sends);
    // Walk the feed one event at a time, keeping every cursor issued.
    const cursors = [start];
    const walked = [];
    for (;;) {
      const res = await poll(t, b, { cursor: cursors.at(-1) as string, limit: 1 });
      if (res.body.data.length === 0) break;
      walked.push(res.body.data[0]);
      cursors.push(res.body.next_cursor);
    }
    const messages = walked.filter((e) => e.type === "message.created");
    expect(messages).toHaveLength(12);
    for (const conv of [dm.id, group.id]) {
      const seqs = messages.filter((e) => e.conversation_id === conv).map((e) => e.data.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
    const ids = walked.map((e) => e.id);
    for (const [i, cursor] of cursors.entries()) {
      const rest = await drain(t, b, cursor, 5);
      expect(rest.events.map((e) => e.id)).toEqual(ids.slice(i));
    }
  });

  it("refuses bad wait, limit and cursors with 422, and a foreign cursor too", async () => {
    t = createTestApp();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const aCursor = await nowCursor(t, a);
    for (const query of ["wait=61", "wait=-1", "wait=1.5", "limit=0", "limit=101", "cursor=x"]) {
      const res = await t.request(`/api/events?${query}`, { token: b.accessToken });
      expect(res.status, query).toBe(422);
      expect(res.body.error.code).toBe("validation_failed");
    }
    const foreign = await poll(t, b, { cursor: aCursor });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.details[0].path).toBe("query.cursor");
    const anonymous = await t.request("/api/events");
    expect(anonymous.status).toBe(401);
  });

  it("answers 410 cursor_expired once the events after a cursor were swept", async () => {
    t = createTestApp();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    const cursor = await nowCursor(t, b);
    await send(t, a, dm.id, "old");
    const recent = await nowCursor(t, b);
    expect(await t.store.events.sweep(t.clock.now() + 1)).toBeGreaterThan(0);
    const res = await poll(t, b, { cursor });
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe("cursor_expired");
    // A cursor at or after what was swept still works, and new events arrive after it.
    await send(t, a, dm.id, "new");
    expect(summary((await drain(t, b, recent)).events)).toEqual(["message.created:new"]);
  });

  it("counts a held long-poll once against the read limit, however long it is held", async () => {
    t = createTestApp({
      config: { rateLimits: { rules: { read: { limit: 50, windowSeconds: 60 } } } },
    });
    const a = await registerAgent(t);
    const first = await poll(t, a);
    const left = Number(first.headers.get("ratelimit-remaining"));
    const held = await poll(t, a, { cursor: first.body.next_cursor, wait: 2 });
    expect(held.body.data).toEqual([]);
    expect(Number(held.headers.get("ratelimit-remaining"))).toBe(left - 1);
    const after = await poll(t, a, { cursor: held.body.next_cursor });
    expect(Number(after.headers.get("ratelimit-remaining"))).toBe(left - 2);
  });

  it("sweeps events past the retention window on its own timer", async () => {
    t = createTestApp({
      config: { events: { retentionSeconds: 60, sweepIntervalSeconds: 0.05 } },
    });
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    const cursor = await nowCursor(t, b);
    const sent = await send(t, a, dm.id, "kept a minute");
    await new Promise((r) => setTimeout(r, 200));
    expect((await poll(t, b, { cursor })).body.data).toHaveLength(1);
    // Event times are the send's (manual clock): two minutes later, the next sweep removes it.
    t.clock.advance(120_000);
    await new Promise((r) => setTimeout(r, 300));
    const res = await poll(t, b, { cursor });
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe("cursor_expired");
    expect(sent.id).toMatch(/^msg_/);
  });

  it("is unmounted (404 route_not_found) when events are switched off", async () => {
    t = createTestApp({ config: { events: { enabled: false } } });
    const a = await registerAgent(t);
    // Not through the spec-checked helper: the spec declares no 404 for listEvents.
    const res = await t.app.request("/api/events", {
      headers: { authorization: `Bearer ${a.accessToken}` },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("route_not_found");
  });

  it("answers held long-polls at once on shutdown", async () => {
    const shutdown = new AbortController();
    t = createTestApp({ shutdown: shutdown.signal });
    const a = await registerAgent(t);
    const cursor = await nowCursor(t, a);
    const started = Date.now();
    const held = poll(t, a, { cursor, wait: 30 });
    await new Promise((r) => setTimeout(r, 100));
    shutdown.abort();
    const res = await held;
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
