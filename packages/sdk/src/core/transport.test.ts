import { describe, expect, it } from "vitest";
import { envelope, fakeApi } from "../../test/support/fake-api.js";
import { fakeClock } from "../../test/support/fake-clock.js";
import { createFluxraClient } from "../client.js";
import {
  APIConnectionError,
  InternalServerError,
  RateLimitError,
  ServiceUnavailableError,
} from "./error.js";

const CID = "cnv_00000000000000000000000000";

function setup(options: Parameters<typeof createFluxraClient>[0] = {}, clock = fakeClock()) {
  const api = fakeApi();
  api.live.add("static");
  const client = createFluxraClient({
    baseUrl: "https://api.test",
    accessToken: "static",
    fetch: api.fetch,
    clock,
    ...options,
  });
  return { api, clock, client };
}

const messagesPath = `/api/conversations/${CID}/messages`;

describe("retries", () => {
  it("retries 503 with exponential backoff and stops at the limit", async () => {
    const { api, clock, client } = setup();
    api.routes.set(messagesPath, () => envelope(503, "service_unavailable"));
    await expect(client.messages.send(CID, { content: "hi" })).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(api.count(messagesPath)).toBe(3);
    expect(clock.sleeps).toEqual([500, 1000]);
  });

  it("applies at most 25 % jitter and caps the backoff at 8 s", async () => {
    const jittery = fakeClock();
    jittery.random = () => 0.999;
    const { api, clock, client } = setup({ maxRetries: 6 }, jittery);
    api.routes.set(messagesPath, () => envelope(502, "internal_error"));
    await expect(client.messages.send(CID, { content: "hi" })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    const bases = [500, 1000, 2000, 4000, 8000, 8000];
    expect(clock.sleeps).toHaveLength(6);
    clock.sleeps.forEach((ms, i) => {
      expect(ms).toBeLessThan(bases[i] ?? 0);
      expect(ms).toBeGreaterThanOrEqual((bases[i] ?? 0) * 0.75);
    });
  });

  it.each([
    [408, "validation_failed"],
    [409, "idempotency_in_progress"],
    [429, "rate_limited"],
    [502, "internal_error"],
    [503, "service_unavailable"],
    [504, "internal_error"],
  ])("retries %i %s", async (status, code) => {
    const { api, client } = setup();
    api.routes.set(messagesPath, (_r, n) =>
      n === 1 ? envelope(status, code) : new Response('{"id":"msg"}', { status: 201 }),
    );
    await expect(client.messages.send(CID, { content: "x" })).resolves.toEqual({ id: "msg" });
    expect(api.count(messagesPath)).toBe(2);
  });

  it("does not retry other conflicts", async () => {
    const { api, client } = setup();
    api.routes.set(messagesPath, () => envelope(409, "message_deleted"));
    await expect(client.messages.send(CID, { content: "x" })).rejects.toMatchObject({
      status: 409,
      code: "message_deleted",
    });
    expect(api.count(messagesPath)).toBe(1);
  });

  it("does not retry a 500 or a 4xx", async () => {
    const { api, client } = setup();
    api.routes.set(messagesPath, () => envelope(500, "internal_error"));
    await expect(client.messages.send(CID, { content: "x" })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    expect(api.count(messagesPath)).toBe(1);
  });

  it("honours Retry-After, preferring error.retry_after_ms", async () => {
    const { api, clock, client } = setup();
    api.routes.set(messagesPath, (_r, n) =>
      n === 1
        ? envelope(429, "rate_limited", {}, { "retry-after": "3" })
        : n === 2
          ? envelope(429, "rate_limited", { retry_after_ms: 1234 }, { "retry-after": "2" })
          : new Response(JSON.stringify({ id: "msg" }), { status: 201 }),
    );
    await expect(client.messages.send(CID, { content: "x" })).resolves.toEqual({ id: "msg" });
    expect(clock.sleeps).toEqual([3000, 1234]);
  });

  it("fails at once with RateLimitError when Retry-After exceeds the maximum", async () => {
    const { api, clock, client } = setup({ maxRetryAfterMs: 10_000 });
    api.routes.set(messagesPath, () =>
      envelope(429, "rate_limited", { retry_after_ms: 30_000 }, { "retry-after": "30" }),
    );
    const error = await client.messages.send(CID, { content: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(30_000);
    expect((error as RateLimitError).retryAfter).toBe(30);
    expect(api.count(messagesPath)).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("reuses one Idempotency-Key across a POST's retries and re-sends its body", async () => {
    const { api, client } = setup();
    api.routes.set(messagesPath, (_r, n) =>
      n < 3 ? envelope(503, "service_unavailable") : new Response("{}", { status: 201 }),
    );
    await client.messages.send(CID, { content: "hello" });
    await client.messages.send(CID, { content: "again" });
    const [a, b, c, d] = api.seen.map((s) => s.idempotencyKey);
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect([b, c]).toEqual([a, a]);
    expect(d).not.toBe(a);
    expect(api.seen.slice(0, 3).map((s) => JSON.parse(s.body))).toEqual([
      { content: "hello" },
      { content: "hello" },
      { content: "hello" },
    ]);
  });

  it("makes Idempotency-Keys without crypto.randomUUID (browsers hide it outside secure contexts)", async () => {
    const randomUUID = globalThis.crypto.randomUUID;
    Object.defineProperty(globalThis.crypto, "randomUUID", {
      value: undefined,
      configurable: true,
    });
    try {
      const { api, client } = setup();
      api.routes.set(messagesPath, () => new Response("{}", { status: 201 }));
      await client.messages.send(CID, { content: "one" });
      await client.messages.send(CID, { content: "two" });
      const keys = api.seen.map((s) => s.idempotencyKey);
      for (const key of keys) {
        expect(key).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
      }
      expect(new Set(keys).size).toBe(2);
    } finally {
      Object.defineProperty(globalThis.crypto, "randomUUID", {
        value: randomUUID,
        configurable: true,
      });
    }
  });

  it("with middleware registered, still re-sends the body and key, and applies its changes", async () => {
    const traces: (string | null)[] = [];
    const { api, client } = setup({
      fetch: (request) => {
        traces.push(request.headers.get("x-trace"));
        return api.fetch(request);
      },
    });
    api.routes.set(messagesPath, (_r, n) =>
      n < 2 ? envelope(503, "service_unavailable") : new Response("{}", { status: 201 }),
    );
    const seenByMiddleware: string[] = [];
    client.use({
      onRequest({ request }) {
        seenByMiddleware.push(`${request.method} ${new URL(request.url).pathname}`);
        request.headers.set("x-trace", "t1");
        return request;
      },
    });
    await client.messages.send(CID, { content: "hello" });
    expect(seenByMiddleware).toEqual([`POST ${messagesPath}`]);
    expect(traces).toEqual(["t1", "t1"]);
    expect(api.seen.map((s) => JSON.parse(s.body))).toEqual([
      { content: "hello" },
      { content: "hello" },
    ]);
    const [a, b] = api.seen.map((s) => s.idempotencyKey);
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(b).toBe(a);
    expect(api.seen.every((s) => s.authorization === "Bearer static")).toBe(true);
  });

  it("buffers a streamed body once, so a retry re-sends the same bytes", async () => {
    const { api, client } = setup();
    api.routes.set(messagesPath, (_r, n) =>
      n < 2 ? envelope(503, "service_unavailable") : new Response("{}", { status: 201 }),
    );
    await client.POST("/api/conversations/{conversation_id}/messages", {
      params: { path: { conversation_id: CID } },
      body: { content: "streamed" },
      bodySerializer: (body) => new Response(JSON.stringify(body)).body as never,
    });
    expect(api.seen.map((s) => s.body)).toEqual([
      '{"content":"streamed"}',
      '{"content":"streamed"}',
    ]);
  });

  it("keeps a caller's own Idempotency-Key and sends none on GET", async () => {
    const { api, client } = setup();
    api.routes.set(messagesPath, (r) =>
      r.method === "GET"
        ? new Response(JSON.stringify({ data: [], has_more: false, next_cursor: null }))
        : new Response("{}", { status: 201 }),
    );
    await client.messages.send(CID, { content: "x" }, { idempotencyKey: "my-key" });
    await client.messages.list(CID).toArray();
    expect(api.seen.map((s) => s.idempotencyKey)).toEqual(["my-key", null]);
  });

  it("retries network errors, then throws APIConnectionError without leaking secrets", async () => {
    let calls = 0;
    const c = createFluxraClient({
      baseUrl: "https://api.test",
      accessToken: "static",
      clock: fakeClock(),
      fetch: async () => {
        calls++;
        throw new TypeError("fetch failed for Bearer eyJhbGciOi.eyJzdWIi.c2ln");
      },
    });
    const error = await c.messages.send(CID, { content: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(String((error as Error).message)).not.toContain("eyJ");
    expect(calls).toBe(3);
  });
});
