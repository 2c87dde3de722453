import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import type { Store } from "../store.js";
import { checkedResponse, createTestApp, registerAgent, type TestApp } from "../testing/index.js";

// Threat 19 of security.md (OWASP API8). The basic CORS and one forced 500 are in
// src/platform/failures.test.ts; this file covers every origin case and a 500 from every domain.

let t: TestApp;
afterEach(async () => t.close());

const preflight = (origin: string, method = "POST") => ({
  method: "OPTIONS",
  headers: {
    origin,
    "access-control-request-method": method,
    "access-control-request-headers": "authorization, content-type, idempotency-key",
  },
});

describe("CORS", () => {
  it("an unlisted origin gets no Access-Control-Allow-Origin, on preflights, successes and errors", async () => {
    t = createTestApp({ config: { corsOrigins: ["https://app.example.com"] } });
    const a = await registerAgent(t);
    for (const origin of [
      "https://evil.example",
      "https://app.example.com.evil.example",
      "http://app.example.com",
      "null",
    ]) {
      const pre = await t.app.request("/api/agents/me", preflight(origin));
      expect(pre.headers.get("access-control-allow-origin"), origin).toBeNull();
      const ok = await t.request("/api/agents/me", { token: a.accessToken, headers: { origin } });
      expect(ok.headers.get("access-control-allow-origin"), origin).toBeNull();
      const err = await t.request("/api/agents/me", { headers: { origin } });
      expect(err.status).toBe(401);
      expect(err.headers.get("access-control-allow-origin"), origin).toBeNull();
    }
    // The listed origin can read successes and errors (and their request ids).
    const mine = await t.request("/api/agents/me", {
      headers: { origin: "https://app.example.com" },
    });
    expect(mine.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(mine.headers.get("vary")?.toLowerCase()).toContain("origin");
  });

  it("'*' allows any origin but never with credentials", async () => {
    t = createTestApp({ config: { corsOrigins: ["*"] } });
    for (const origin of ["https://a.example", "https://b.example"]) {
      const pre = await t.app.request("/api/conversations", preflight(origin));
      expect(pre.headers.get("access-control-allow-origin")).toBe("*");
      expect(pre.headers.get("access-control-allow-credentials")).toBeNull();
      const res = await t.request("/health", { headers: { origin } });
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    }
  });
});

/** `store` with every method of the named interfaces throwing an error full of internals. */
function failing(store: Store, parts: (keyof Store)[]): Store {
  const out = { ...store } as Record<string, unknown>;
  for (const part of parts) {
    const real = store[part] as unknown as Record<string, unknown>;
    out[part] = new Proxy(real, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        return () => {
          throw new Error(`boom in ${String(prop)} at /srv/fluxra/src/secret.ts:42 SELECT *`);
        };
      },
    });
  }
  return out as unknown as Store;
}

describe("forced 500 from every domain", () => {
  it("answers the envelope with internal_error, no stack, no message, and reports it", async () => {
    t = createTestApp();
    const a = await registerAgent(t);
    const b = await registerAgent(t);
    const reported: unknown[] = [];
    const app = createApp({
      store: failing(t.store, ["agents", "chat", "blocks"]),
      clock: t.clock,
      onInternalError: (e) => reported.push(e),
    });
    const cnv = "cnv_00000000000000000000000000";
    const msg = "msg_00000000000000000000000000";
    const calls: [string, string, unknown?][] = [
      ["GET", "/api/agents/me"],
      ["PATCH", "/api/agents/me", { display_name: "x" }],
      ["GET", `/api/agents/${b.id}`],
      ["GET", "/api/agents"],
      ["POST", "/api/conversations", { type: "direct", agent_id: b.id }],
      ["GET", "/api/conversations"],
      ["GET", `/api/conversations/${cnv}`],
      ["GET", `/api/conversations/${cnv}/messages`],
      ["POST", `/api/conversations/${cnv}/messages`, { content: "x" }],
      ["DELETE", `/api/conversations/${cnv}/messages/${msg}`],
      ["PUT", `/api/blocks/agents/${b.id}`],
      ["GET", "/api/blocks"],
    ];
    for (const [method, path, json] of calls) {
      const res = await checkedResponse(
        method,
        path,
        await app.request(path, {
          method,
          headers: {
            authorization: `Bearer ${a.accessToken}`,
            ...(json ? { "content-type": "application/json" } : {}),
          },
          ...(json ? { body: JSON.stringify(json) } : {}),
        }),
      );
      expect(res.status, `${method} ${path}`).toBe(500);
      expect(res.body.error.code).toBe("internal_error");
      expect(res.text).not.toMatch(/boom|\/srv|secret\.ts|SELECT|at [\w.]+ \(/);
    }
    expect(reported).toHaveLength(calls.length);
  });
});
