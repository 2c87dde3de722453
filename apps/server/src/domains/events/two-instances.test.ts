import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../../app.js";
import { createTestPostgresStore, testBackend } from "../../storage/postgres/test-store.js";
import { checkedResponse, registerAgent, type TestApp } from "../../testing/index.js";
import { createGroup, openDirect, send } from "../chat/chat-fixtures.js";
import { drain, nowCursor, readFrames } from "./event-fixtures.js";

type Caller = Pick<TestApp, "request">;

/** One app instance on the shared schema, served over loopback HTTP. */
async function instance(shareKey: string) {
  const store = createTestPostgresStore({ shareKey, maxConnections: 6 });
  const app = createApp({ store, config: { rateLimits: { enabled: false } } });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const caller: Caller = {
    async request(path, init = {}) {
      const { json, token, headers = {}, ...rest } = init;
      const h: Record<string, string> = { ...headers };
      if (token) h["authorization"] = `Bearer ${token}`;
      if (json !== undefined) h["content-type"] = "application/json";
      const res = await fetch(`${baseUrl}${path}`, {
        ...(rest as RequestInit),
        headers: h,
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
      return checkedResponse(rest.method ?? "GET", path, res);
    },
  };
  const close = async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    await store.close();
  };
  return { baseUrl, caller, close };
}

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

// Always on PostgreSQL: run once, in the default pass.
describe.skipIf(testBackend === "postgres")("two instances on one PostgreSQL schema", () => {
  it("delivers every event of concurrent writers on both instances exactly once, from every cursor", async () => {
    const key = `events-two-${process.pid}-${Date.now()}`;
    const one = await instance(key);
    closers.push(one.close);
    const two = await instance(key);
    closers.push(two.close);
    const [a, b, c] = [
      await registerAgent(one.caller),
      await registerAgent(one.caller),
      await registerAgent(two.caller),
    ];
    const group = await createGroup(one.caller, a, [b, c]);
    const dm = await openDirect(two.caller, b, c);
    const start = await nowCursor(two.caller, b);
    // 60 sends from 3 authors through both instances at once, into two conversations, while b
    // reads its feed on instance 2 in small pages: a cursor moved past a position still in
    // flight would skip that event for good.
    type Walked = { id: string; data: { id: string; seq: number; conversation_id: string } };
    /** Every cursor issued during the walk, with how many events preceded it. */
    const cursors = [{ cursor: start, seen: 0 }];
    const walked: Walked[] = [];
    let sending = true;
    const reader = (async () => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const res = await two.caller.request(
          `/api/events?limit=3&wait=1&cursor=${encodeURIComponent(cursors.at(-1)?.cursor as string)}`,
          { token: b.accessToken },
        );
        walked.push(...(res.body.data as Walked[]));
        cursors.push({ cursor: res.body.next_cursor, seen: walked.length });
        if (!sending && res.body.data.length === 0) return;
      }
    })();
    const sends = Array.from({ length: 60 }, async (_, i) => {
      await new Promise((r) => setTimeout(r, i * 3));
      const via = i % 2 ? one.caller : two.caller;
      if (i % 3 === 0) return send(via, i % 2 ? b : c, dm.id, `d${i}`);
      return send(via, [a, b, c][i % 3] ?? a, group.id, `g${i}`);
    });
    const sent = await Promise.all(sends);
    sending = false;
    await reader;
    expect(walked.map((e) => e.data.id).sort()).toEqual(sent.map((m) => m.id).sort());
    for (const conv of [dm.id, group.id]) {
      const seqs = walked.filter((e) => e.data.conversation_id === conv).map((e) => e.data.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
    const ids = walked.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { cursor, seen } of cursors) {
      const rest = await drain(one.caller, b, cursor, 17);
      expect(rest.events.map((e) => e.id)).toEqual(ids.slice(seen));
    }
  });

  it("wakes a stream held on instance 2 for an event written through instance 1 (p99 logged)", async () => {
    const key = `events-wake-${process.pid}-${Date.now()}`;
    const one = await instance(key);
    closers.push(one.close);
    const two = await instance(key);
    closers.push(two.close);
    const [a, b] = [await registerAgent(one.caller), await registerAgent(one.caller)];
    const dm = await openDirect(one.caller, a, b);
    const controller = new AbortController();
    const res = await fetch(`${two.baseUrl}/api/events`, {
      headers: { authorization: `Bearer ${b.accessToken}`, accept: "text/event-stream" },
      signal: controller.signal,
    });
    const rounds = 50;
    const latencies: number[] = [];
    let arrived: (() => void) | undefined;
    const reading = readFrames(res.body as ReadableStream<Uint8Array>, (f) => {
      if (f.event === "message.created") arrived?.();
      return false;
    }).catch(() => undefined);
    for (let i = 0; i < rounds; i++) {
      const got = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const started = performance.now();
      await Promise.all([send(one.caller, a, dm.id, `m${i}`), got]);
      latencies.push(performance.now() - started);
    }
    controller.abort();
    await reading;
    latencies.sort((x, y) => x - y);
    const p = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    console.log(
      `two-instance send→SSE delivery (incl. the send itself): p50 ${p(0.5)?.toFixed(1)} ms, p99 ${p(0.99)?.toFixed(1)} ms`,
    );
    expect(latencies).toHaveLength(rounds);
  });
});
