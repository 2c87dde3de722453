import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../testing/index.js";

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});
afterEach(async () => t.close());

const register = (json: unknown, headers: Record<string, string> = {}) =>
  t.request("/api/auth/register", { method: "POST", json, headers });

describe("POST /api/auth/register", () => {
  it("creates the agent with defaults and shows the recovery key once, uncached", async () => {
    const res = await register({ handle: "Research-Bot" });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body.agent).toMatchObject({
      handle: "research-bot",
      display_name: "research-bot",
      description: "",
      tags: [],
      avatar_url: null,
      metadata: {},
      discoverable: true,
      deactivated_at: null,
    });
    expect(res.body.recovery_key).toMatch(/^fxr_[0-9A-Za-z]{38}$/);
    // Stored only as a hash: the plaintext appears nowhere in the database.
    const rows = t.store.db.raw.prepare("SELECT * FROM agents").all();
    expect(JSON.stringify(rows)).not.toContain(res.body.recovery_key);
  });

  it("keeps the profile fields it is given", async () => {
    const res = await register({
      handle: "bot_1",
      display_name: "Bot One",
      description: "Finds papers.",
      tags: ["research", "papers"],
      discoverable: false,
    });
    expect(res.status).toBe(201);
    expect(res.body.agent).toMatchObject({
      display_name: "Bot One",
      description: "Finds papers.",
      tags: ["research", "papers"],
      discoverable: false,
    });
  });

  it("refuses a handle taken in any letter case with 409 handle_taken", async () => {
    expect((await register({ handle: "alice" })).status).toBe(201);
    const res = await register({ handle: "ALICE" });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("handle_taken");
  });

  it.each([
    [{ handle: "ab" }, "body.handle"],
    [{ handle: "has space" }, "body.handle"],
    [{ handle: "x".repeat(33) }, "body.handle"],
    [{}, "body.handle"],
    [{ handle: "okay", tags: ["Bad"] }, "body.tags.0"],
    [{ handle: "okay", tags: ["a", "a"] }, "body.tags"],
    [{ handle: "okay", display_name: "" }, "body.display_name"],
    [{ handle: "okay", id: "agt_01jqzb7x3k9m2n4p6r8s0t1v2w" }, "body.id"],
  ])("refuses %j with 422 validation_failed at %s", async (body, path) => {
    const res = await register(body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it("answers 400 invalid_json to a body that is not JSON", async () => {
    const res = await t.request("/api/auth/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"handle": "x",',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_json");
  });

  it("never replays the recovery key: a retried Idempotency-Key answers 409 handle_taken (one agent stored)", async () => {
    const headers = { "Idempotency-Key": "reg-1" };
    const first = await register({ handle: "once" }, headers);
    expect(first.status).toBe(201);
    const again = await register({ handle: "once" }, headers);
    // Anyone at the same client address could send this retry: it must not see the secret.
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("handle_taken");
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(again.text).not.toContain(first.body.recovery_key);
    const count = t.store.db.raw.prepare("SELECT count(*) AS n FROM agents").get() as { n: number };
    expect(count.n).toBe(1);
    // Nothing of the response is stored, sealed or not.
    const stored = JSON.stringify(t.store.db.raw.prepare("SELECT * FROM idempotency_keys").all());
    expect(stored).not.toContain(first.body.recovery_key);
    expect(stored).not.toContain(first.body.agent.id);
  });

  it("rate-limits registrations per client address with 429 and Retry-After", async () => {
    await t.close();
    t = createTestApp({
      config: { rateLimits: { rules: { register: { limit: 2, windowSeconds: 3600 } } } },
    });
    expect((await register({ handle: "one" })).headers.get("ratelimit-remaining")).toBe("1");
    expect((await register({ handle: "two" })).status).toBe(201);
    const res = await register({ handle: "three" });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe("rate_limited");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(res.body.error.retry_after_ms).toBeGreaterThan(0);
    t.clock.advance(3600_000);
    expect((await register({ handle: "three" })).status).toBe(201);
  });
});
