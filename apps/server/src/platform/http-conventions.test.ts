import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, registerAgent, type TestApp } from "../testing/index.js";

let t: TestApp;
afterEach(async () => t.close());

const bigJson = (bytes: number) =>
  JSON.stringify({ handle: "big", description: "x".repeat(bytes) });

describe("body limits and parsing", () => {
  it("answers 413 payload_too_large to a body over 64 KiB (declared length)", async () => {
    t = createTestApp();
    for (const size of [70 * 1024, 2 * 1024 * 1024]) {
      const res = await t.request("/api/auth/register", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: bigJson(size),
      });
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe("payload_too_large");
    }
  });

  it("answers 413 to a chunked body without Content-Length over real HTTP", async () => {
    t = createTestApp();
    const server = await t.listen();
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"handle":"big","d":"'));
        if (sent >= 8) return controller.close();
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const res = await server.fetch("/api/auth/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as never);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });

  it("accepts a body just under the limit", async () => {
    t = createTestApp();
    const a = await registerAgent(t);
    const res = await t.request("/api/agents/me", {
      method: "PATCH",
      token: a.accessToken,
      json: { description: "x".repeat(1000), metadata: { pad: "y".repeat(4000) } },
    });
    expect(res.status).toBe(200);
  });

  it("answers 400 invalid_json to unparsable JSON and to a non-JSON content type", async () => {
    t = createTestApp();
    const a = await registerAgent(t);
    for (const [type, body] of [
      ["application/json", "{nope"],
      ["text/plain", "display_name=x"],
    ]) {
      const res = await t.request("/api/agents/me", {
        method: "PATCH",
        token: a.accessToken,
        headers: { "content-type": type as string },
        body,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_json");
    }
  });
});

describe("unknown routes", () => {
  it("answers 404 route_not_found and 405 method_not_allowed with Allow", async () => {
    t = createTestApp();
    const missing = await t.request("/api/nothing-here");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("route_not_found");
    const wrong = await t.request("/api/auth/jwks.json", { method: "POST" });
    expect(wrong.status).toBe(405);
    expect(wrong.body.error.code).toBe("method_not_allowed");
    expect(wrong.headers.get("allow")).toBe("GET, HEAD");
    const param = await t.request("/api/agents/agt_01jqzb7x3k9m2n4p6r8s0t1v2w", { method: "PUT" });
    expect(param.status).toBe(405);
  });
});

describe("rate limits", () => {
  it("limits writes per agent with 429, Retry-After and RateLimit-* headers", async () => {
    t = createTestApp({
      config: { rateLimits: { rules: { write: { limit: 2, windowSeconds: 60 } } } },
    });
    const a = await registerAgent(t);
    const b = await registerAgent(t);
    const patch = (token: string) =>
      t.request("/api/agents/me", { method: "PATCH", token, json: { description: "x" } });
    // registerAgent spent one write (creating the api key) for each agent.
    const ok = await patch(a.accessToken);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("ratelimit-limit")).toBe("2");
    expect(ok.headers.get("ratelimit-remaining")).toBe("0");
    const limited = await patch(a.accessToken);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await patch(b.accessToken)).status).toBe(200);
    t.clock.advance(60_000);
    expect((await patch(a.accessToken)).status).toBe(200);
  });

  it("does not let a rotating X-Forwarded-For escape the per-address bucket", async () => {
    t = createTestApp({
      config: { rateLimits: { rules: { register: { limit: 1, windowSeconds: 3600 } } } },
    });
    const server = await t.listen();
    const register = (handle: string, ip: string) =>
      server.fetch("/api/auth/register", {
        method: "POST",
        json: { handle },
        headers: { "x-forwarded-for": ip },
      });
    expect((await register("first", "10.0.0.1")).status).toBe(201);
    expect((await register("second", "10.0.0.2")).status).toBe(429);
  });

  it("shares the count between instances on one database", async () => {
    const limits = { rateLimits: { rules: { register: { limit: 2, windowSeconds: 3600 } } } };
    t = createTestApp({ config: limits });
    const other = createTestApp({ dbPath: t.dbPath, clock: t.clock, config: limits });
    try {
      const register = (app: TestApp, handle: string) =>
        app.request("/api/auth/register", { method: "POST", json: { handle } });
      expect((await register(t, "one")).status).toBe(201);
      expect((await register(other, "two")).status).toBe(201);
      expect((await register(t, "three")).status).toBe(429);
      expect((await register(other, "four")).status).toBe(429);
    } finally {
      await other.close();
    }
  });

  it("sends the headers but never refuses when switched off", async () => {
    t = createTestApp({
      config: { rateLimits: { enabled: false, rules: { read: { limit: 1, windowSeconds: 60 } } } },
    });
    const a = await registerAgent(t);
    for (let i = 0; i < 3; i++) {
      const res = await t.request("/api/agents/me", { token: a.accessToken });
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-limit")).toBe("1");
    }
  });
});
