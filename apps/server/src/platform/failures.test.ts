import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import type { Store } from "../store.js";
import { checkedResponse, createTestApp, registerAgent, type TestApp } from "../testing/index.js";

let t: TestApp;
afterEach(async () => t.close());

describe("server faults", () => {
  it("answers 500 internal_error with the envelope and no internals, and reports the error", async () => {
    t = createTestApp();
    const a = await registerAgent(t);
    const reported: unknown[] = [];
    const broken: Store = {
      ...t.store,
      agents: {
        ...t.store.agents,
        getAgent: async () => {
          throw new Error("boom at /srv/secret/path.ts:42");
        },
      },
    };
    const app = createApp({
      store: broken,
      clock: t.clock,
      onInternalError: (e) => reported.push(e),
    });
    const res = await checkedResponse(
      "GET",
      "/api/agents/me",
      await app.request("/api/agents/me", {
        headers: { authorization: `Bearer ${a.accessToken}` },
      }),
    );
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe("internal_error");
    expect(res.text).not.toContain("boom");
    expect(res.text).not.toContain("/srv/secret");
    expect(reported).toHaveLength(1);
  });

  it("answers 503 service_unavailable when the database is gone, and recovers with it", async () => {
    t = createTestApp();
    const a = await registerAgent(t);
    t.store.db.close();
    const res = await t.request("/api/agents/me", { token: a.accessToken });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("service_unavailable");
    // A new store on the same file (what a restarted connection sees) serves the same data.
    const { createSqliteStore } = await import("../storage/sqlite/index.js");
    const reopened = createSqliteStore(t.dbPath);
    const app = createApp({ store: reopened, clock: t.clock });
    const back = await app.request("/api/agents/me", {
      headers: { authorization: `Bearer ${a.accessToken}` },
    });
    expect(back.status).toBe(200);
    await reopened.close();
  });
});

describe("CORS", () => {
  it("allows only the configured origins and never pairs * with credentials", async () => {
    t = createTestApp({ config: { corsOrigins: ["https://docs.tryfluxra.com"] } });
    const preflight = await t.app.request("/api/agents/me", {
      method: "OPTIONS",
      headers: {
        origin: "https://docs.tryfluxra.com",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://docs.tryfluxra.com");
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
    const res = await t.request("/health", { headers: { origin: "https://docs.tryfluxra.com" } });
    expect(res.headers.get("access-control-expose-headers")).toContain("X-Request-Id");
    const other = await t.request("/health", { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("sends no CORS headers unless configured", async () => {
    t = createTestApp();
    const res = await t.request("/health", { headers: { origin: "https://docs.tryfluxra.com" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
