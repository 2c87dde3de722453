import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../platform/auth/secrets.js";
import { testBackend } from "../../storage/postgres/test-store.js";
import { createTestApp, registerAgent, type TestAgent, type TestApp } from "../../testing/index.js";
import type { NewSession } from "./store.js";

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});
afterEach(async () => t.close());

const exchange = (api_key: string) =>
  t.request("/api/auth/token", { method: "POST", json: { api_key } });

/** A new session for `a`'s key as the exchange handler builds it after its lookup. */
function sessionFor(a: TestAgent, id: string): NewSession {
  const now = t.clock.now();
  return {
    id,
    agentId: a.id,
    apiKeyId: a.apiKeyId,
    createdAt: now,
    expiresAt: now + 3_600_000,
  };
}

async function liveSessionIds(a: TestAgent): Promise<string[]> {
  const rows = await t.store.auth.listSessions(a.id, null, t.clock.now(), 100);
  return rows.map((s) => s.id);
}

describe("token exchange under concurrency (sessions share a group commit)", () => {
  it("gives every one of 20 concurrent exchanges its own session and a token that works", async () => {
    const a = await registerAgent(t);
    const before = await liveSessionIds(a);
    const answers = await Promise.all(Array.from({ length: 20 }, () => exchange(a.apiKey)));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    const ids = answers.map((r) => r.body.session_id as string);
    expect(new Set(ids).size).toBe(20);
    expect((await liveSessionIds(a)).sort()).toEqual([...before, ...ids].sort());
    for (const r of answers) {
      const me = await t.request("/api/auth/session", { token: r.body.access_token });
      expect(me.status).toBe(200);
      expect(me.body.session_id).toBe(r.body.session_id);
    }
  });

  it("writes the token jose would: header {alg,typ,kid} with the JWKS kid, the RFC 9068 claims", async () => {
    const a = await registerAgent(t);
    const res = await exchange(a.apiKey);
    const jwks = await t.request("/api/auth/jwks.json");
    expect(decodeProtectedHeader(res.body.access_token)).toEqual({
      alg: "EdDSA",
      typ: "at+jwt",
      kid: jwks.body.keys[0].kid,
    });
    const claims = decodeJwt(res.body.access_token);
    expect(Object.keys(claims)).toEqual(["sid", "iss", "aud", "sub", "jti", "iat", "exp"]);
    expect(claims.exp).toBe(Math.floor(t.clock.now() / 1000) + 900);
    // A second token never repeats the first's jti.
    const again = await exchange(a.apiKey);
    expect(decodeJwt(again.body.access_token).jti).not.toBe(claims.jti);
  });
});

describe("revocation between the exchange's lookup and its write", () => {
  it("opens no session for a key revoked after it was looked up", async () => {
    const a = await registerAgent(t);
    const key = await t.store.auth.findApiKeyBySecret(sha256Hex(a.apiKey));
    expect(key?.revokedAt).toBeNull();
    const lastUsed = async () =>
      (await t.store.auth.listApiKeys(a.id, 10)).find((k) => k.id === a.apiKeyId)?.last_used_at;
    const usedBefore = await lastUsed();
    expect(await t.store.auth.revokeApiKey(a.id, a.apiKeyId, t.clock.now())).toBe(true);
    const late = sessionFor(a, "ses_revokedmeanwhile0000000001");
    expect(await t.store.auth.createSession(late, sha256Hex(late.id))).toBe(false);
    expect(await t.store.auth.getSession(sha256Hex(late.id))).toBeNull();
    expect(await liveSessionIds(a)).toEqual([]);
    // The key's last use is not moved by the refused exchange either.
    expect(await lastUsed()).toBe(usedBefore);
  });

  it("opens no session for a key whose agent was deactivated after the lookup", async () => {
    const a = await registerAgent(t);
    await t.store.agents.deactivateAgent(a.id, t.clock.now());
    const late = sessionFor(a, "ses_deactivatedmeanwhile000001");
    expect(await t.store.auth.createSession(late, sha256Hex(late.id))).toBe(false);
    expect(await t.store.auth.getSession(sha256Hex(late.id))).toBeNull();
  });

  it.skipIf(testBackend === "postgres")(
    "SQLite: a revocation committed while the session waits for the batch wins",
    async () => {
      const a = await registerAgent(t);
      const queued = sessionFor(a, "ses_queuedbeforerevocation0001");
      // Queued for the next group commit; the revocation commits at once, before that batch.
      const pending = t.store.auth.createSession(queued, sha256Hex(queued.id));
      expect(await t.store.auth.revokeApiKey(a.id, a.apiKeyId, t.clock.now())).toBe(true);
      expect(await pending).toBe(false);
      expect(await t.store.auth.getSession(sha256Hex(queued.id))).toBeNull();
      expect((await exchange(a.apiKey)).body.error.code).toBe("invalid_credentials");
    },
  );

  it("answers 401 over HTTP once the key is revoked, and keeps the other key's sessions", async () => {
    const a = await registerAgent(t);
    const second = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: a.accessToken,
      json: { name: "second" },
    });
    expect(second.status).toBe(201);
    const kept = await exchange(second.body.api_key);
    expect(kept.status).toBe(200);
    const revoked = await t.request(`/api/auth/api-keys/${a.apiKeyId}`, {
      method: "DELETE",
      token: kept.body.access_token,
    });
    expect(revoked.status).toBe(204);
    expect((await exchange(a.apiKey)).body.error.code).toBe("invalid_credentials");
    expect(await liveSessionIds(a)).toEqual([kept.body.session_id]);
  });

  it("refuses the key of an agent deactivated over HTTP", async () => {
    const a = await registerAgent(t);
    expect((await exchange(a.apiKey)).status).toBe(200);
    const gone = await t.request("/api/agents/me", { method: "DELETE", token: a.recoveryKey });
    expect(gone.status).toBeLessThan(300);
    const refused = await exchange(a.apiKey);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("invalid_credentials");
    expect(await liveSessionIds(a)).toEqual([]);
  });

  it("refuses a key that another instance revoked after this one used it", async () => {
    const a = await registerAgent(t);
    expect((await exchange(a.apiKey)).status).toBe(200);
    // Straight in the store, as a second server process on the same database would.
    expect(await t.store.auth.revokeApiKey(a.id, a.apiKeyId, t.clock.now())).toBe(true);
    expect((await exchange(a.apiKey)).body.error.code).toBe("invalid_credentials");
    expect(await liveSessionIds(a)).toEqual([]);
  });
});
