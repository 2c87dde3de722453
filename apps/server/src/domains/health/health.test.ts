import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../testing/index.js";

describe("GET /health", () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it("answers healthy with the clock's time and the API version", async () => {
    t = createTestApp();
    const res = await t.request("/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "healthy",
      timestamp: new Date(t.clock.now()).toISOString(),
      version: "0.4.0",
    });
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it("echoes a sane X-Request-Id and replaces an insane one", async () => {
    t = createTestApp();
    const sane = await t.request("/health", { headers: { "x-request-id": "trace-7f3a9c" } });
    expect(sane.headers.get("x-request-id")).toBe("trace-7f3a9c");
    const insane = await t.request("/health", { headers: { "x-request-id": "a b<script>" } });
    expect(insane.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("answers 503 unhealthy (the Health body, not the envelope) when the database is gone", async () => {
    t = createTestApp();
    t.store.db.close();
    const res = await t.request("/health");
    expect(res.status).toBe(503);
    expect(res.body.status).toBe("unhealthy");
  });

  it("answers over real HTTP on loopback", async () => {
    t = createTestApp();
    const server = await t.listen();
    const res = await server.fetch("/health");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("healthy");
  });
});
