import { createLocalJWKSet, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, getToken, registerAgent, type TestApp } from "../../testing/index.js";

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});
afterEach(async () => t.close());

const minutes = (n: number) => n * 60_000;

describe("token exchange", () => {
  it("opens a session and returns a 15-minute EdDSA token verifiable with the JWKS", async () => {
    const a = await registerAgent(t);
    const res = await t.request("/api/auth/token", { method: "POST", json: { api_key: a.apiKey } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    const jwks = await t.request("/api/auth/jwks.json");
    const { payload, protectedHeader } = await jwtVerify(
      res.body.access_token,
      createLocalJWKSet(jwks.body),
      {
        issuer: "https://chat.tryfluxra.com",
        audience: "fluxra-chat-api",
        currentDate: new Date(t.clock.now()),
      },
    );
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "at+jwt" });
    expect(payload).toMatchObject({ sub: a.id, sid: res.body.session_id });
    const keys = await t.request("/api/auth/api-keys", { token: res.body.access_token });
    const used = keys.body.data.find((k: { id: string }) => k.id === a.apiKeyId);
    expect(used.last_used_at).toBe(new Date(t.clock.now()).toISOString());
  });

  it("refuses bad keys: checksum (no lookup), unknown, expired; malformed shape is 422", async () => {
    const a = await registerAgent(t);
    const exchange = (api_key: string) =>
      t.request("/api/auth/token", { method: "POST", json: { api_key } });
    const flipped = `${a.apiKey.slice(0, 10)}${a.apiKey[10] === "a" ? "b" : "a"}${a.apiKey.slice(11)}`;
    expect((await exchange(flipped)).body.error.code).toBe("invalid_credentials");
    const unknown = `fxk_${"A".repeat(32)}`;
    const { secretChecksum } = await import("../../platform/auth/secrets.js");
    const wellFormedUnknown = `${unknown}${secretChecksum("A".repeat(32))}`;
    expect((await exchange(wellFormedUnknown)).status).toBe(401);
    expect((await exchange("fxk_short")).status).toBe(422);

    const expiring = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: a.accessToken,
      json: { name: "brief", expires_at: new Date(t.clock.now() + minutes(5)).toISOString() },
    });
    expect((await exchange(expiring.body.api_key)).status).toBe(200);
    t.clock.advance(minutes(6));
    expect((await exchange(expiring.body.api_key)).body.error.code).toBe("invalid_credentials");
  });
});

describe("token lifetime", () => {
  it("expires after 15 minutes (30 s leeway) with token_expired, and refresh slides it", async () => {
    const a = await registerAgent(t);
    t.clock.advance(minutes(10));
    const refreshed = await t.request("/api/auth/refresh", {
      method: "POST",
      token: a.accessToken,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.session_id).toBe(a.sessionId);
    expect(refreshed.headers.get("cache-control")).toBe("no-store");

    t.clock.advance(minutes(5) + 20_000); // old token: 15 min + 20 s, inside the leeway
    expect((await t.request("/api/agents/me", { token: a.accessToken })).status).toBe(200);
    t.clock.advance(15_000); // 15 min + 35 s
    const expired = await t.request("/api/agents/me", { token: a.accessToken });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe("token_expired");
    expect(expired.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
    expect((await t.request("/api/agents/me", { token: refreshed.body.access_token })).status).toBe(
      200,
    );
  });

  it("never refreshes past the session's 30-day absolute expiry", async () => {
    await t.close();
    t = createTestApp({ config: { tokenTtlSeconds: 12 * 3600 } }); // fewer refreshes to walk 30 days
    const a = await registerAgent(t);
    let token = a.accessToken;
    const sessionEnd = t.clock.now() + 30 * 24 * 60 * minutes(1);
    while (t.clock.now() < sessionEnd - minutes(12 * 60)) {
      t.clock.advance(minutes(11 * 60));
      const res = await t.request("/api/auth/refresh", { method: "POST", token });
      expect(res.status).toBe(200);
      expect(Date.parse(res.body.expires_at)).toBeLessThanOrEqual(sessionEnd);
      token = res.body.access_token;
    }
    t.clock.set(sessionEnd - 60_000);
    const last = await t.request("/api/auth/refresh", { method: "POST", token });
    expect(last.body.expires_in).toBeLessThanOrEqual(60);
    t.clock.set(sessionEnd + 31_000);
    const after = await t.request("/api/auth/refresh", {
      method: "POST",
      token: last.body.access_token,
    });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("token_expired");
  });
});

describe("sessions", () => {
  it("describes the presented token", async () => {
    const a = await registerAgent(t);
    const res = await t.request("/api/auth/session", { token: a.accessToken });
    const now = t.clock.now();
    expect(res.body).toEqual({
      agent_id: a.id,
      session_id: a.sessionId,
      api_key_id: a.apiKeyId,
      issued_at: new Date(now).toISOString(),
      expires_at: new Date(now + minutes(15)).toISOString(),
      session_expires_at: new Date(now + 30 * 24 * 60 * minutes(1)).toISOString(),
    });
  });

  it("lists live sessions newest first, marks the current one, revokes one and logs out", async () => {
    const a = await registerAgent(t);
    const second = await getToken(t, a.apiKey);
    const list = await t.request("/api/auth/sessions", { token: a.accessToken });
    expect(list.body.data.map((s: { id: string; current: boolean }) => [s.id, s.current])).toEqual([
      [second.sessionId, false],
      [a.sessionId, true],
    ]);

    const revoke = () =>
      t.request(`/api/auth/sessions/${second.sessionId}`, {
        method: "DELETE",
        token: a.accessToken,
      });
    expect((await revoke()).status).toBe(204);
    expect((await revoke()).status).toBe(204);
    const dead = await t.request("/api/auth/session", { token: second.accessToken });
    expect(dead.body.error.code).toBe("session_revoked");
    const after = await t.request("/api/auth/sessions", { token: a.accessToken });
    expect(after.body.data.map((s: { id: string }) => s.id)).toEqual([a.sessionId]);

    const logout = await t.request("/api/auth/logout", { method: "POST", token: a.accessToken });
    expect(logout.status).toBe(204);
    const gone = await t.request("/api/auth/session", { token: a.accessToken });
    expect(gone.body.error.code).toBe("session_revoked");
  });

  it("answers 404 for another agent's session", async () => {
    const a = await registerAgent(t);
    const b = await registerAgent(t);
    const res = await t.request(`/api/auth/sessions/${b.sessionId}`, {
      method: "DELETE",
      token: a.accessToken,
    });
    expect(res.status).toBe(404);
    expect((await t.request("/api/auth/session", { token: b.accessToken })).status).toBe(200);
  });

  it("refuses a body on logout other than {} with 422", async () => {
    const a = await registerAgent(t);
    const res = await t.request("/api/auth/logout", {
      method: "POST",
      token: a.accessToken,
      json: { everywhere: true },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe("body.everywhere");
    const empty = await t.request("/api/auth/logout", {
      method: "POST",
      token: a.accessToken,
      json: {},
    });
    expect(empty.status).toBe(204);
  });
});

describe("bodiless actions", () => {
  it("accept no body, an empty body with a JSON content type, or {}", async () => {
    const a = await registerAgent(t);
    const bare = await t.request("/api/auth/refresh", { method: "POST", token: a.accessToken });
    expect(bare.status).toBe(200);
    const empty = await t.request("/api/auth/refresh", {
      method: "POST",
      token: a.accessToken,
      headers: { "content-type": "application/json" },
      body: "",
    });
    expect(empty.status).toBe(200);
    const object = await t.request("/api/auth/refresh", {
      method: "POST",
      token: a.accessToken,
      json: {},
    });
    expect(object.status).toBe(200);
  });
});
