import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestApp,
  registerAgent,
  type TestAgent,
  type TestApp,
  type TestResponse,
} from "../testing/index.js";

// RateLimit-* headers when one request counts against several limits (issue 15, finding 5): the
// token exchange is limited per client address and per api key, and the per-key headers used to
// overwrite the spent per-address ones (`Remaining: 23` right before a 429).

const limit = 8;
let t: TestApp;
let a: TestAgent;
let keys: string[];
beforeAll(async () => {
  t = createTestApp({
    config: { rateLimits: { rules: { token: { limit, windowSeconds: 3600 } } } },
  });
  a = await registerAgent(t); // one exchange from this address, with a.apiKey
  keys = [a.apiKey];
  for (const name of ["two", "three"]) {
    const res = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: a.accessToken,
      json: { name },
    });
    keys.push(res.body.api_key);
  }
});
afterAll(async () => t.close());

const header = (res: TestResponse, name: string) => Number(res.headers.get(`ratelimit-${name}`));

describe("RateLimit headers of the limit closest to exhaustion (issue 15.5)", () => {
  it("shows the per-address count when rotating api keys, down to 0 right before the 429", async () => {
    const perAddress = { used: 1 };
    const perKey = new Map<string, number>([[a.apiKey, 1]]);
    for (let i = 0; i < limit - 1; i++) {
      const key = keys[i % keys.length] as string;
      const res = await t.request("/api/auth/token", { method: "POST", json: { api_key: key } });
      expect(res.status).toBe(200);
      perAddress.used += 1;
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
      const expected = Math.min(limit - perAddress.used, limit - (perKey.get(key) as number));
      expect(header(res, "remaining"), `exchange ${i + 1}`).toBe(expected);
      expect(header(res, "limit")).toBe(limit);
    }
    expect(perAddress.used).toBe(limit);
    const spent = await t.request("/api/auth/token", {
      method: "POST",
      json: { api_key: keys[2] as string },
    });
    expect(spent.status).toBe(429);
    expect(header(spent, "remaining")).toBe(0);
    expect(Number(spent.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("shows the per-key count when that one is closer (one key from many addresses)", async () => {
    const fresh = createTestApp({
      config: {
        trustProxy: true,
        rateLimits: { rules: { token: { limit: 4, windowSeconds: 60 } } },
      },
    });
    try {
      const b = await registerAgent(fresh); // the key's first exchange
      for (const [i, address] of ["10.0.0.1", "10.0.0.2", "10.0.0.3"].entries()) {
        const res = await fresh.request("/api/auth/token", {
          method: "POST",
          headers: { "x-forwarded-for": address },
          json: { api_key: b.apiKey },
        });
        expect(res.status).toBe(200);
        // Each address has 3 left; the key has 2, 1, 0.
        expect(header(res, "remaining")).toBe(2 - i);
      }
      const spent = await fresh.request("/api/auth/token", {
        method: "POST",
        headers: { "x-forwarded-for": "10.0.0.4" },
        json: { api_key: b.apiKey },
      });
      expect(spent.status).toBe(429);
      expect(header(spent, "remaining")).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});
