// Timeouts and aborts over real HTTP on loopback, through Node's own `fetch`: the path where the
// transport hands `fetch` no signal at all, only a dispatcher that keeps each request's `abort`
// (see `ConnectionCanceller`), once the first answered request has shown that `fetch` honours it.
// Each test checks the server side too: the connection of a cancelled attempt is closed, not left
// running. The tests run in order: the first one establishes the dispatcher path.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFluxraClient } from "../client.js";
import { ConnectionCanceller, dispatcherCancellation } from "./connection.js";
import { APIConnectionTimeoutError, APIUserAbortError } from "./error.js";
import { callAborter, supportsLightSignal } from "./signals.js";

const CID = "cnv_00000000000000000000000000";

interface Seen {
  /** Requests received, in order. */
  count: number;
  /** Resolves with the request number once that request's connection closes without an answer. */
  closed: Promise<number>;
}

type Handler = (n: number, req: IncomingMessage, res: ServerResponse) => void;

const servers: { close(): void }[] = [];
/** The init of every `fetch` call of the test (passed through to Node's own `fetch` unchanged). */
let inits: (RequestInit & { dispatcher?: unknown })[] = [];
const nodeFetch = globalThis.fetch;
beforeEach(() => {
  inits = [];
  globalThis.fetch = (input, init) => {
    inits.push(init ?? {});
    return nodeFetch(input, init);
  };
});
afterEach(() => {
  globalThis.fetch = nodeFetch;
  for (const s of servers.splice(0)) s.close();
});

/** A loopback server; `handler` may leave a request hanging. */
async function serve(handler: Handler): Promise<{ url: string; seen: Seen }> {
  let onClosed: (n: number) => void = () => {};
  const seen: Seen = { count: 0, closed: new Promise((r) => (onClosed = r)) };
  const server = createServer((req, res) => {
    const n = ++seen.count;
    res.on("close", () => {
      if (!res.writableEnded) onClosed(n);
    });
    req.resume();
    req.on("end", () => handler(n, req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push({ close: () => server.close() && server.closeAllConnections() });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const hang: Handler = () => {};
const answer = (res: ServerResponse) => {
  res.writeHead(201, { "content-type": "application/json" });
  res.end('{"id":"msg_1"}');
};

/** Real `setTimeout`s, counted while pending (set and neither fired nor cleared). */
function countedTimers() {
  const pending = new Set<ReturnType<typeof setTimeout>>();
  return {
    pending,
    setTimer(fn: () => void, ms: number) {
      const id = setTimeout(() => {
        pending.delete(id);
        fn();
      }, ms);
      pending.add(id);
      return () => {
        clearTimeout(id);
        pending.delete(id);
      };
    },
  };
}

describe("cancellation over real HTTP (Node fetch)", () => {
  it("uses the light signal on Node, and a real AbortController with a caller's signal", () => {
    expect(supportsLightSignal()).toBe(true);
    expect(callAborter(undefined)).not.toBeInstanceOf(AbortController);
    expect(callAborter(new AbortController().signal)).toBeInstanceOf(AbortController);
  });

  it("hands Node's fetch no signal once an answered request went through the dispatcher", async () => {
    const { url } = await serve((_n, _req, res) => answer(res));
    const client = createFluxraClient({ baseUrl: url, accessToken: "t" });
    expect(dispatcherCancellation()).toBeUndefined();
    // Until a request has been answered through the dispatcher, requests carry a signal as well
    // (one request on Node, where the light-signal probe has already loaded undici; two where the
    // first `fetch` is what sets undici's global dispatcher up).
    await client.messages.send(CID, { content: "x" });
    if (dispatcherCancellation() === undefined) await client.messages.send(CID, { content: "x" });
    const trials = inits.length;
    for (const init of inits) expect(init.signal).toBeDefined();
    expect(dispatcherCancellation()).toBe(true);
    await client.messages.send(CID, { content: "x" });
    await client.messages.list(CID).firstPage();
    expect(inits).toHaveLength(trials + 2);
    for (const init of inits.slice(trials)) {
      expect(init.signal).toBeUndefined();
      expect(init.dispatcher).toBeInstanceOf(ConnectionCanceller);
    }
    // A bodiless GET goes out as raw `fetch(url, { headers })` does: no `method`, no `body` (undici
    // then skips the method's checks); a POST names its method and carries its body.
    expect(inits.at(-2)).toMatchObject({ method: "POST", body: '{"content":"x"}' });
    expect(Object.keys(inits.at(-1) ?? {}).sort()).toEqual(["dispatcher", "headers"]);
    // A caller's signal is handed to fetch as a signal (linked, so the body read follows it too).
    await client.messages.list(CID, {}, { signal: new AbortController().signal }).firstPage();
    expect(inits.at(-1)?.signal).toBeInstanceOf(AbortSignal);
    expect(inits.at(-1)?.dispatcher).toBeUndefined();
  });

  it("a timeout aborts the underlying request and raises APIConnectionTimeoutError", async () => {
    const { url, seen } = await serve(hang);
    const client = createFluxraClient({ baseUrl: url, accessToken: "t", timeout: 150 });
    const started = performance.now();
    await expect(
      client.messages.send(CID, { content: "x" }, { maxRetries: 0 }),
    ).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(inits[0]?.signal).toBeUndefined();
    // The server sees the connection go: the fetch itself was cancelled, not just abandoned.
    await expect(seen.closed).resolves.toBe(1);
  });

  it("the deadline aborts the underlying request the same way", async () => {
    const { url, seen } = await serve(hang);
    const client = createFluxraClient({ baseUrl: url, accessToken: "t", deadline: 150 });
    await expect(client.messages.list(CID).firstPage()).rejects.toThrow(/deadline/);
    expect(inits[0]?.signal).toBeUndefined();
    await expect(seen.closed).resolves.toBe(1);
  });

  it("an abort before the request has its connection keeps it from being sent", async () => {
    const { url, seen } = await serve(hang);
    const canceller = new ConnectionCanceller();
    const pending = canceller.send(`${url}/api/agents/me`, { method: "GET" });
    // Synchronously after `fetch` was called: undici has not connected the request yet.
    canceller.abort("timeout");
    await expect(pending).rejects.toThrow(/aborted/);
    await new Promise((r) => setTimeout(r, 100));
    // undici gave the connection's `abort` later, and the canceller used it before writing.
    expect(seen.count).toBe(0);
  });

  it("a caller's signal cancels the request in flight", async () => {
    const { url, seen } = await serve(hang);
    const client = createFluxraClient({ baseUrl: url, accessToken: "t" });
    const controller = new AbortController();
    const pending = client.messages.send(
      CID,
      { content: "x" },
      { signal: controller.signal, maxRetries: 0 },
    );
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    await expect(seen.closed).resolves.toBe(1);
  });

  it("each retry gets its own timeout: a hung first attempt is cut and the retry succeeds", async () => {
    const { url, seen } = await serve((n, _req, res) => {
      if (n > 1) answer(res);
    });
    const client = createFluxraClient({
      baseUrl: url,
      accessToken: "t",
      timeout: 150,
      maxRetries: 1,
      clock: { random: () => 1 }, // shortest backoff: 375 ms
    });
    await expect(client.messages.send(CID, { content: "x" })).resolves.toEqual({ id: "msg_1" });
    expect(seen.count).toBe(2);
    await expect(seen.closed).resolves.toBe(1);
  });

  it("leaves no timer behind after a call, answered or timed out", async () => {
    const { url } = await serve((n, _req, res) => {
      if (n === 1) answer(res);
    });
    const timers = countedTimers();
    const client = createFluxraClient({
      baseUrl: url,
      accessToken: "t",
      timeout: 60_000,
      deadline: 120_000,
      clock: { setTimer: timers.setTimer },
    });
    await client.messages.send(CID, { content: "x" });
    expect(timers.pending.size).toBe(0);
    await expect(
      client.messages.send(CID, { content: "x" }, { timeout: 100, maxRetries: 0 }),
    ).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    expect(timers.pending.size).toBe(0);
  });

  it("a caller's signal still ends the response body's read after the call returned", async () => {
    const { url } = await serve((_n, _req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(": open\n\n");
    });
    const client = createFluxraClient({ baseUrl: url, accessToken: "t" });
    const controller = new AbortController();
    const { response } = await client.GET("/api/events", {
      parseAs: "stream",
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
  });

  it("a short timeout started behind a long one still fires on time", async () => {
    const { url, seen } = await serve(hang);
    const client = createFluxraClient({ baseUrl: url, accessToken: "t", maxRetries: 0 });
    const controller = new AbortController();
    const long = client.messages
      .send(CID, { content: "long" }, { timeout: 5_000, signal: controller.signal })
      .catch((e: unknown) => e);
    const started = performance.now();
    await expect(
      client.messages.send(CID, { content: "short" }, { timeout: 100 }),
    ).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1_000);
    await expect(seen.closed).resolves.toBe(2);
    controller.abort();
    await expect(long).resolves.toBeInstanceOf(APIUserAbortError);
  });

  it("a GET from a helper times out and is cancelled the same way", async () => {
    const { url, seen } = await serve(hang);
    const client = createFluxraClient({ baseUrl: url, accessToken: "t", timeout: 100 });
    await expect(
      client.messages.list(CID, {}, { maxRetries: 0 }).firstPage(),
    ).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    await expect(seen.closed).resolves.toBe(1);
  });
});
