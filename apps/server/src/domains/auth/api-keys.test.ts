import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, getToken, registerAgent, type TestApp } from "../../testing/index.js";

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});
afterEach(async () => t.close());

describe("api keys", () => {
  it("creates a key with the recovery key or an access token; the secret is shown once", async () => {
    const a = await registerAgent(t);
    const viaRecovery = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: a.recoveryKey,
      json: { name: "laptop", expires_at: "2026-07-01T00:00:00.000Z" },
    });
    expect(viaRecovery.status).toBe(201);
    expect(viaRecovery.headers.get("cache-control")).toBe("no-store");
    expect(viaRecovery.body.key).toMatchObject({
      name: "laptop",
      prefix: viaRecovery.body.api_key.slice(0, 12),
      expires_at: "2026-07-01T00:00:00.000Z",
      last_used_at: null,
      revoked_at: null,
    });
    const viaToken = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: a.accessToken,
      json: { name: "ci" },
    });
    expect(viaToken.status).toBe(201);

    const list = await t.request("/api/auth/api-keys", { token: a.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.data.map((k: { name: string }) => k.name)).toEqual(["ci", "laptop", "test"]);
    expect(list.text).not.toContain(viaToken.body.api_key);
    const db = JSON.stringify(t.store.db.raw.prepare("SELECT * FROM api_keys").all());
    expect(db).not.toContain(viaToken.body.api_key);
  });

  it("refuses an expiry in the past with 422 at body.expires_at", async () => {
    const a = await registerAgent(t);
    const res = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: a.accessToken,
      json: { name: "old", expires_at: "2020-01-01T00:00:00.000Z" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe("body.expires_at");
  });

  it("refuses missing, malformed and api-key credentials with 401", async () => {
    const a = await registerAgent(t);
    const post = (token?: string) =>
      t.request("/api/auth/api-keys", {
        method: "POST",
        json: { name: "x" },
        ...(token ? { token } : {}),
      });
    const none = await post();
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("missing_credentials");
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    const badChecksum = `${a.recoveryKey.slice(0, -1)}${a.recoveryKey.endsWith("A") ? "B" : "A"}`;
    const bad = await post(badChecksum);
    expect(bad.body.error.code).toBe("invalid_credentials");
    expect(bad.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    expect((await post(a.apiKey)).body.error.code).toBe("invalid_credentials");
  });

  it("pages the list with an opaque cursor and refuses a forged one", async () => {
    const a = await registerAgent(t);
    for (const name of ["k1", "k2", "k3"]) {
      await t.request("/api/auth/api-keys", {
        method: "POST",
        token: a.accessToken,
        json: { name },
      });
    }
    const first = await t.request("/api/auth/api-keys?limit=2", { token: a.accessToken });
    expect(first.body.data.map((k: { name: string }) => k.name)).toEqual(["k3", "k2"]);
    expect(first.body.has_more).toBe(true);
    const second = await t.request(
      `/api/auth/api-keys?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`,
      { token: a.accessToken },
    );
    expect(second.body.data.map((k: { name: string }) => k.name)).toEqual(["k1", "test"]);
    expect(second.body).toMatchObject({ has_more: false, next_cursor: null });

    // One MAC character changed to a different one (replacing the tail with a fixed "AA" left it
    // unchanged for 1 cursor in 256, and the test then saw a 200).
    const cursor0: string = first.body.next_cursor;
    const at = cursor0.length - 5;
    const forged = `${cursor0.slice(0, at)}${cursor0[at] === "A" ? "B" : "A"}${cursor0.slice(at + 1)}`;
    for (const cursor of [forged, "nonsense", first.body.next_cursor.slice(0, 10)]) {
      const res = await t.request(`/api/auth/api-keys?cursor=${encodeURIComponent(cursor)}`, {
        token: a.accessToken,
      });
      expect(res.status).toBe(422);
      expect(res.body.error.details[0].path).toBe("query.cursor");
    }
    for (const limit of ["0", "101", "100000", "abc"]) {
      const res = await t.request(`/api/auth/api-keys?limit=${limit}`, { token: a.accessToken });
      expect(res.status).toBe(422);
      expect(res.body.error.details[0].path).toBe("query.limit");
    }
  });

  it("revoking a key kills its live access tokens on the next request, idempotently", async () => {
    const a = await registerAgent(t);
    const other = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: a.accessToken,
      json: { name: "second" },
    });
    const second = await getToken(t, other.body.api_key);
    expect((await t.request("/api/auth/session", { token: a.accessToken })).status).toBe(200);

    const revoke = () =>
      t.request(`/api/auth/api-keys/${a.apiKeyId}`, {
        method: "DELETE",
        token: second.accessToken,
      });
    expect((await revoke()).status).toBe(204);
    const dead = await t.request("/api/auth/session", { token: a.accessToken });
    expect(dead.status).toBe(401);
    expect(dead.body.error.code).toBe("session_revoked");
    expect((await revoke()).status).toBe(204);

    const exchange = await t.request("/api/auth/token", {
      method: "POST",
      json: { api_key: a.apiKey },
    });
    expect(exchange.status).toBe(401);
    expect(exchange.body.error.code).toBe("invalid_credentials");
    const list = await t.request("/api/auth/api-keys", { token: second.accessToken });
    const revoked = list.body.data.find((k: { id: string }) => k.id === a.apiKeyId);
    expect(revoked.revoked_at).toBe(new Date(t.clock.now()).toISOString());
  });

  it("answers 404 for another agent's key and 422 for a malformed id", async () => {
    const a = await registerAgent(t);
    const b = await registerAgent(t);
    const foreign = await t.request(`/api/auth/api-keys/${b.apiKeyId}`, {
      method: "DELETE",
      token: a.accessToken,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("not_found");
    expect((await t.request("/api/auth/session", { token: b.accessToken })).status).toBe(200);
    const malformed = await t.request("/api/auth/api-keys/nope", {
      method: "DELETE",
      token: a.accessToken,
    });
    expect(malformed.status).toBe(422);
    expect(malformed.body.error.details[0].path).toBe("path.key_id");
  });
});

describe("secret checksums", () => {
  it("refuse a mistyped api key or recovery key before any database lookup", async () => {
    const a = await registerAgent(t);
    let lookups = 0;
    const { auth } = t.store;
    const findKey = auth.findApiKeyBySecret.bind(auth);
    const findAgent = auth.findAgentByRecoveryKey.bind(auth);
    auth.findApiKeyBySecret = (hash) => {
      lookups += 1;
      return findKey(hash);
    };
    auth.findAgentByRecoveryKey = (hash) => {
      lookups += 1;
      return findAgent(hash);
    };
    const typo = (s: string) => `${s.slice(0, 20)}${s[20] === "Q" ? "R" : "Q"}${s.slice(21)}`;
    const exchange = await t.request("/api/auth/token", {
      method: "POST",
      json: { api_key: typo(a.apiKey) },
    });
    expect(exchange.status).toBe(401);
    const create = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: typo(a.recoveryKey),
      json: { name: "x" },
    });
    expect(create.status).toBe(401);
    expect(lookups).toBe(0);
    // The same calls with the real secrets do look up (the counter is wired in).
    await t.request("/api/auth/token", { method: "POST", json: { api_key: a.apiKey } });
    expect(lookups).toBe(1);
  });
});
