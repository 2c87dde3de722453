import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, registerAgent, type TestAgent, type TestApp } from "../../testing/index.js";
import { openDirect, send } from "../chat/chat-fixtures.js";
import { drain, nowCursor, readFrames, type SseFrame, summary } from "./event-fixtures.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

/** Opens an SSE stream of `agent`'s feed over real HTTP. */
async function openStream(
  baseUrl: string,
  agent: TestAgent,
  options: { cursor?: string; lastEventId?: string } = {},
) {
  const qs = options.cursor ? `?cursor=${encodeURIComponent(options.cursor)}` : "";
  const headers: Record<string, string> = {
    authorization: `Bearer ${agent.accessToken}`,
    accept: "text/event-stream",
  };
  if (options.lastEventId) headers["last-event-id"] = options.lastEventId;
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/events${qs}`, { headers, signal: controller.signal });
  return { res, close: () => controller.abort() };
}

describe("GET /api/events as Server-Sent Events", () => {
  it("opens with retry and the start id, then one frame per event whose id resumes after it", async () => {
    t = createTestApp();
    const server = await t.listen();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    const { res, close } = await openStream(server.baseUrl, b);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    const frames: SseFrame[] = [];
    const reading = readFrames(res.body as ReadableStream<Uint8Array>, (f) => {
      frames.push(f);
      return frames.filter((x) => x.event).length === 2;
    });
    await send(t, a, dm.id, "one");
    await send(t, a, dm.id, "two");
    await reading;
    close();
    expect(frames[0]?.retry).toBe("3000");
    expect(frames[0]?.id).toBeTruthy();
    const events = frames.filter((f) => f.event);
    expect(events.map((f) => f.event)).toEqual(["message.created", "message.created"]);
    const first = JSON.parse(events[0]?.data as string);
    expect(first.type).toBe("message.created");
    expect(first.data.content).toBe("one");
    // The start id and each event id are cursors: long-poll resumes from them exactly.
    expect(summary((await drain(t, b, frames[0]?.id as string)).events)).toEqual([
      "message.created:one",
      "message.created:two",
    ]);
    expect(summary((await drain(t, b, events[0]?.id as string)).events)).toEqual([
      "message.created:two",
    ]);
  });

  it("resumes from Last-Event-ID (which wins over ?cursor) with no gap and no duplicate", async () => {
    t = createTestApp();
    const server = await t.listen();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    const start = await nowCursor(t, b);
    await send(t, a, dm.id, "one");
    const afterOne = (await drain(t, b, start)).cursor;
    await send(t, a, dm.id, "two");
    await send(t, a, dm.id, "three");
    const { res, close } = await openStream(server.baseUrl, b, {
      cursor: start,
      lastEventId: afterOne,
    });
    const got: string[] = [];
    await readFrames(res.body as ReadableStream<Uint8Array>, (f) => {
      if (f.event) got.push(JSON.parse(f.data as string).data.content);
      return got.length === 2;
    });
    close();
    expect(got).toEqual(["two", "three"]);
  });

  it("sends keep-alive comments while idle", async () => {
    t = createTestApp({ config: { events: { keepAliveSeconds: 0.05 } } });
    const server = await t.listen();
    const a = await registerAgent(t);
    const { res, close } = await openStream(server.baseUrl, a);
    let comments = 0;
    await readFrames(res.body as ReadableStream<Uint8Array>, (f) => {
      if (f.comment === "keep-alive") comments++;
      return comments === 2;
    });
    close();
    expect(comments).toBe(2);
  });

  it("pings an idle stream once per keep-alive interval, not more often", async () => {
    t = createTestApp({ config: { events: { keepAliveSeconds: 0.15 } } });
    const server = await t.listen();
    const a = await registerAgent(t);
    const { res, close } = await openStream(server.baseUrl, a);
    const at: number[] = [];
    await readFrames(res.body as ReadableStream<Uint8Array>, (f) => {
      if (f.comment === "keep-alive") at.push(performance.now());
      return at.length === 4;
    });
    close();
    // The sweep ticks every 1/15 of the interval and pings streams silent for 14/15 of it.
    for (let i = 1; i < at.length; i++) {
      expect((at[i] as number) - (at[i - 1] as number)).toBeGreaterThanOrEqual(130);
    }
  });

  it("sends no keep-alive to a stream that carries events", async () => {
    t = createTestApp({ config: { events: { keepAliveSeconds: 2 } } });
    const server = await t.listen();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    const { res, close } = await openStream(server.baseUrl, b);
    const frames: SseFrame[] = [];
    const reading = readFrames(res.body as ReadableStream<Uint8Array>, (f) => {
      frames.push(f);
      return frames.filter((x) => x.event).length === 25;
    });
    for (let i = 0; i < 25; i++) {
      await send(t, a, dm.id, `m${i}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await reading;
    close();
    // 2.5 s of events every 100 ms: a fixed 2 s keep-alive timer would have written a comment.
    expect(frames.filter((f) => f.comment === "keep-alive")).toEqual([]);
  });

  it("ends streams cleanly on shutdown", async () => {
    const shutdown = new AbortController();
    t = createTestApp({ shutdown: shutdown.signal });
    const server = await t.listen();
    const a = await registerAgent(t);
    const { res } = await openStream(server.baseUrl, a);
    const reading = readFrames(res.body as ReadableStream<Uint8Array>, () => false);
    await new Promise((r) => setTimeout(r, 100));
    shutdown.abort();
    const { ended } = await reading;
    expect(ended).toBe(true);
  });

  it("refuses an expired or foreign cursor before the stream starts", async () => {
    t = createTestApp();
    const server = await t.listen();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const foreign = await nowCursor(t, a);
    const { res } = await openStream(server.baseUrl, b, { lastEventId: foreign });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.details[0]?.path).toBe("header.Last-Event-ID");
  });
});
