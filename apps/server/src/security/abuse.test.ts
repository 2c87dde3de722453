import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { generateSecret } from "../platform/auth/secrets.js";
import { createTestApp, registerAgent, type TestApp, type TestResponse } from "../testing/index.js";

// Threats 11, 13 and 16 of security.md (OWASP API4/API6): credential stuffing, registration
// floods, secrets with bad checksums, X-Forwarded-For rotation.

let t: TestApp;
afterEach(async () => t.close());

/** The limits the reference server ships with (the test helper raises them otherwise). */
const shipped = {
  rateLimits: {
    rules: {
      register: { limit: 20, windowSeconds: 3600 },
      token: { limit: 30, windowSeconds: 60 },
    },
  },
};

function countLookups(app: TestApp) {
  const counts = { apiKey: 0, recovery: 0 };
  const { auth } = app.store;
  const findKey = auth.findApiKeyBySecret.bind(auth);
  const findAgent = auth.findAgentByRecoveryKey.bind(auth);
  auth.findApiKeyBySecret = (hash) => {
    counts.apiKey += 1;
    return findKey(hash);
  };
  auth.findAgentByRecoveryKey = (hash) => {
    counts.recovery += 1;
    return findAgent(hash);
  };
  return counts;
}

function expect429(res: TestResponse) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe("rate_limited");
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect(res.body.error.retry_after_ms).toBeGreaterThan(0);
}

/** A well-formed secret with a wrong checksum. */
function badChecksum(kind: "fxk" | "fxr"): string {
  const good = generateSecret(kind);
  const last = good.at(-1) === "0" ? "1" : "0";
  return `${good.slice(0, -1)}${last}`;
}

describe("credential stuffing at the token endpoint (security.md 13)", () => {
  it("1,000 random api keys: 30 are looked up, the rest get 429 with Retry-After", async () => {
    t = createTestApp({ config: shipped });
    const victim = await registerAgent(t);
    const lookups = countLookups(t);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const res = await t.request("/api/auth/token", {
        method: "POST",
        json: { api_key: generateSecret("fxk") },
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 429) expect429(res);
    }
    // The victim's test registration spent one token exchange of the window.
    expect(Object.fromEntries(statuses)).toEqual({ 401: 29, 429: 971 });
    expect(lookups.apiKey).toBe(29);
    // The address stays limited, even with a genuine key, until the window passes.
    const genuine = () =>
      t.request("/api/auth/token", { method: "POST", json: { api_key: victim.apiKey } });
    expect429(await genuine());
    t.clock.advance(60_000);
    expect((await genuine()).status).toBe(200);
  });

  it("1,000 keys with a bad checksum never reach the database (security.md 11)", async () => {
    t = createTestApp();
    const victim = await registerAgent(t);
    const lookups = countLookups(t);
    for (let i = 0; i < 500; i++) {
      const token = await t.request("/api/auth/token", {
        method: "POST",
        json: { api_key: badChecksum("fxk") },
      });
      expect(token.status).toBe(401);
      const recover = await t.request("/api/auth/recover", {
        method: "POST",
        json: { agent_id: victim.id, recovery_key: badChecksum("fxr") },
      });
      expect(recover.status).toBe(401);
    }
    for (const credential of [badChecksum("fxr"), badChecksum("fxr")]) {
      const create = await t.request("/api/auth/api-keys", {
        method: "POST",
        token: credential,
        json: { name: "x" },
      });
      expect(create.status).toBe(401);
    }
    expect(lookups).toEqual({ apiKey: 0, recovery: 0 });
    // The counters are wired in: good-looking secrets are looked up.
    await t.request("/api/auth/token", { method: "POST", json: { api_key: victim.apiKey } });
    await t.request("/api/auth/recover", {
      method: "POST",
      json: { agent_id: victim.id, recovery_key: generateSecret("fxr") },
    });
    expect(lookups).toEqual({ apiKey: 1, recovery: 1 });
  });
});

describe("registration flood (security.md 13)", () => {
  it("200 parallel registrations from one address over HTTP: exactly 20 succeed", async () => {
    t = createTestApp({ config: shipped });
    const http = await t.listen();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        http.fetch("/api/auth/register", {
          method: "POST",
          json: { handle: `flood-${i}-${randomBytes(3).toString("hex")}` },
        }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(20);
    for (const r of results) if (r.status !== 201) expect429(r);
    const stored = t.store.db.raw
      .prepare("SELECT count(*) AS n FROM agents WHERE handle LIKE 'flood-%'")
      .get() as { n: number };
    expect(stored.n).toBe(20);
  });
});

describe("X-Forwarded-For (security.md 16)", () => {
  const limitOne = { rateLimits: { rules: { register: { limit: 1, windowSeconds: 3600 } } } };

  it("behind a trusted proxy, the address the proxy appended is the bucket, not the client's", async () => {
    t = createTestApp({ config: { ...limitOne, trustProxy: true } });
    const http = await t.listen();
    const register = (handle: string, xff: string) =>
      http.fetch("/api/auth/register", {
        method: "POST",
        json: { handle },
        headers: { "x-forwarded-for": xff },
      });
    // Two real clients behind the proxy get a bucket each…
    expect((await register("proxied-a", "203.0.113.1")).status).toBe(201);
    expect((await register("proxied-b", "203.0.113.2")).status).toBe(201);
    // …but one client rotating what it sends ahead of the proxy's entry stays in its bucket.
    for (const spoof of ["10.0.0.1", "10.0.0.2", "1.2.3.4, 5.6.7.8"]) {
      const res = await register(`spoof-${spoof.length}`, `${spoof}, 203.0.113.1`);
      expect429(res);
    }
  });

  it("without a trusted proxy, rotating X-Forwarded-For never opens a new bucket", async () => {
    t = createTestApp({ config: limitOne });
    const http = await t.listen();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await http.fetch("/api/auth/register", {
        method: "POST",
        json: { handle: `rot-${i}` },
        headers: { "x-forwarded-for": `198.51.100.${i}`, "x-real-ip": `198.51.100.${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([201, ...Array(9).fill(429)]);
  });
});
