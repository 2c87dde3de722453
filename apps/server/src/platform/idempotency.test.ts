import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createTestApp,
  getToken,
  registerAgent,
  type TestAgent,
  type TestApp,
} from "../testing/index.js";

let t: TestApp;
let a: TestAgent;
beforeEach(async () => {
  t = createTestApp();
  a = await registerAgent(t);
});
afterEach(async () => t.close());

const createKey = (agent: TestAgent, name: string, key: string) =>
  t.request("/api/auth/api-keys", {
    method: "POST",
    token: agent.accessToken,
    json: { name },
    headers: { "Idempotency-Key": key },
  });

const keyCount = (agentId: string) =>
  (
    t.store.db.raw
      .prepare("SELECT count(*) AS n FROM api_keys WHERE agent_id = ?")
      .get(agentId) as {
      n: number;
    }
  ).n;

describe("Idempotency-Key", () => {
  it("replays the stored response for the same body; one row is written", async () => {
    const first = await createKey(a, "ci", "k-1");
    const second = await createKey(a, "ci", "k-1");
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(keyCount(a.id)).toBe(2);
  });

  it("answers 422 idempotency_key_reused for a different body", async () => {
    await createKey(a, "ci", "k-2");
    const res = await createKey(a, "other", "k-2");
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("idempotency_key_reused");
  });

  it("answers 409 idempotency_in_progress while the first request runs", async () => {
    const body = JSON.stringify({ name: "ci" });
    const { sha256Hex } = await import("./auth/secrets.js");
    const { credentialScope } = await import("./idempotency.js");
    const now = t.clock.now();
    // Creating an api key is scoped to the session that asks (its response carries a secret).
    const caller = credentialScope({
      kind: "access",
      agentId: a.id,
      sessionId: a.sessionId,
      apiKeyId: a.apiKeyId,
      sessionExpiresAt: null,
      recoveryKeyHash: null,
      tokenIssuedAt: null,
      tokenExpiresAt: null,
    });
    await t.store.platform.claimIdempotencyKey(
      { caller, method: "POST", path: "/api/auth/api-keys", key: "k-3" },
      sha256Hex(body),
      now,
      now - 1,
      now - 1,
    );
    const res = await createKey(a, "ci", "k-3");
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("idempotency_in_progress");
    // A first request that died is taken over once its claim is stale (60 s).
    t.clock.advance(61_000);
    expect((await createKey(a, "ci", "k-3")).status).toBe(201);
  });

  it("is scoped per caller: another agent's same key runs fresh", async () => {
    const b = await registerAgent(t);
    const mine = await createKey(a, "ci", "shared");
    const theirs = await createKey(b, "ci", "shared");
    expect(theirs.status).toBe(201);
    expect(theirs.body.key.id).not.toBe(mine.body.key.id);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
  });

  it("does not store validation failures, so the corrected retry runs", async () => {
    const bad = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: a.accessToken,
      json: { name: "" },
      headers: { "Idempotency-Key": "k-4" },
    });
    expect(bad.status).toBe(422);
    const fixed = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: a.accessToken,
      json: { name: "" },
      headers: { "Idempotency-Key": "k-4" },
    });
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
  });

  it("expires after 24 hours", async () => {
    await createKey(a, "ci", "k-5");
    t.clock.advance(24 * 3600_000 + 1);
    const later = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: (await getToken(t, a.apiKey)).accessToken, // the first token has expired meanwhile
      json: { name: "other" },
      headers: { "Idempotency-Key": "k-5" },
    });
    expect(later.status).toBe(201);
    expect(later.body.key.name).toBe("other");
  });

  it("answers a success only once its stored response is written", async () => {
    // The completion write fails (say the disk is full): the client must not be told the
    // request succeeded, since a retry could not replay it.
    t.store.platform.completeIdempotencyKey = async () => {
      throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    };
    const res = await createKey(a, "ci", "k-7");
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.body.error.code).toBeDefined();
    expect(res.body.api_key).toBeUndefined();
  });

  it("takes over an expired key without its old response, and release keeps completed keys", async () => {
    const { platform } = t.store;
    const scope = { caller: a.id, method: "POST", path: "/api/x", key: "k-8" };
    const day = 24 * 3600_000;
    const now = t.clock.now();
    const claim = (hash: string, at: number) =>
      platform.claimIdempotencyKey(scope, hash, at, at - day, at - 60_000);
    expect(await claim("h1", now)).toEqual({ claimed: true });
    await platform.completeIdempotencyKey(scope, 201, "old", { "content-type": "x/y" });
    // Release (what a failed request does) never drops a completed key's response.
    await platform.releaseIdempotencyKey(scope);
    expect(await claim("h1", now + 1)).toMatchObject({
      claimed: false,
      record: { requestHash: "h1", status: 201, body: "old", headers: { "content-type": "x/y" } },
    });
    // A day later the key is free: a new request takes it, and while it runs a retry is told it
    // is in progress (the expired response is gone, never replayed for the new body).
    const later = now + day + 1;
    expect(await claim("h2", later)).toEqual({ claimed: true });
    expect(await claim("h2", later + 1)).toMatchObject({
      claimed: false,
      record: { requestHash: "h2", status: null, body: null, headers: {} },
    });
    await platform.completeIdempotencyKey(scope, 200, "new", {});
    expect(await claim("h2", later + 2)).toMatchObject({
      claimed: false,
      record: { status: 200, body: "new" },
    });
    // A failed request's claim is released: the key can be claimed again at once.
    const other = { ...scope, key: "k-9" };
    expect(
      await platform.claimIdempotencyKey(other, "h3", later, later - day, later - 60_000),
    ).toEqual({
      claimed: true,
    });
    await platform.releaseIdempotencyKey(other);
    expect(
      await platform.claimIdempotencyKey(other, "h4", later, later - day, later - 60_000),
    ).toEqual({
      claimed: true,
    });
  });

  it("refuses a key longer than 255 characters with 422", async () => {
    const res = await createKey(a, "ci", "k".repeat(256));
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe("header.Idempotency-Key");
  });
});
