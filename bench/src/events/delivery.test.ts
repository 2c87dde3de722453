import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryLatency } from "./delivery.js";

/**
 * The delivery instrument against a stub of the Events API (no timing is asserted): what each
 * transport's rounds have in front of them on the server.
 */
let base = "";
const streams = new Set<ServerResponse>();
let held: ServerResponse | undefined;
/** Per send: its text, and how many streams the server had to write its event to. */
const sends: { text: string; streams: number }[] = [];
let cursor = 0;
/** Every event sent, in order: event `i` is the one after cursor `i`. */
const events: unknown[] = [];

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://stub");
  if (req.method === "POST") {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const { content } = JSON.parse(body) as { content: string };
      const event = { type: "message.created", data: { content } };
      cursor++;
      events.push(event);
      sends.push({ text: content, streams: streams.size });
      for (const s of streams) s.write(`data: ${JSON.stringify(event)}\n\n`);
      held?.end(JSON.stringify({ data: [event], next_cursor: String(cursor) }));
      held = undefined;
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: `msg_${cursor}` }));
    });
    return;
  }
  if (req.headers.accept === "text/event-stream") {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write("retry: 1000\n\n");
    streams.add(res);
    res.on("close", () => streams.delete(res));
    return;
  }
  res.setHeader("content-type", "application/json");
  if (url.searchParams.has("wait")) {
    // As the real feed does: a long-poll whose cursor is already behind answers at once (on a
    // busy machine the round's send can reach the server before the long-poll does).
    const after = Number(url.searchParams.get("cursor") ?? cursor);
    if (after < cursor) {
      res.end(JSON.stringify({ data: events.slice(after), next_cursor: String(cursor) }));
      return;
    }
    held = res;
    return;
  }
  res.end(JSON.stringify({ data: [], next_cursor: String(cursor) }));
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("deliveryLatency", () => {
  it("holds no stream during the long-poll rounds, so a long-poll sample carries no stream's delivery", async () => {
    const agent = { id: "agt_a", apiKey: "k", accessToken: "t" };
    const result = await deliveryLatency(base, base, agent, agent, "cnv_1", 6, {
      gapMs: 5,
      block: 3,
    });
    expect(result.longPoll.rounds).toBe(6);
    expect(result.sse.rounds).toBe(6);
    const pollRounds = sends.filter((s) => s.text.startsWith("poll round"));
    const streamRounds = sends.filter((s) => s.text.startsWith("stream round"));
    expect(pollRounds.map((s) => s.streams)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(streamRounds.map((s) => s.streams)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
