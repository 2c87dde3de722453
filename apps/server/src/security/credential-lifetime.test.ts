import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toTimestamp } from "../platform/clock.js";
import {
  createTestApp,
  getToken,
  registerAgent,
  type TestAgent,
  type TestApp,
} from "../testing/index.js";

// How long a credential lives, and in how many spellings (issue 15, findings 4 and 8): a session
// never outlives the api key that opened it, and an access token is accepted in its one
// canonical encoding only.

let t: TestApp;
let a: TestAgent;
beforeAll(async () => {
  t = createTestApp();
  a = await registerAgent(t);
});
afterAll(async () => t.close());

const minutes = (n: number) => n * 60_000;

describe("a session never outlives its api key (issue 15.4)", () => {
  it("reports the key's expiry as session_expires_at and stops refreshing when the key expires", async () => {
    const keyExpiresAt = t.clock.now() + minutes(20);
    const created = await t.request("/api/auth/api-keys", {
      method: "POST",
      token: a.accessToken,
      json: { name: "short-lived", expires_at: toTimestamp(keyExpiresAt) },
    });
    expect(created.status).toBe(201);
    const session = await getToken(t, created.body.api_key);
    const info = await t.request("/api/auth/session", { token: session.accessToken });
    expect(info.body.session_expires_at).toBe(toTimestamp(keyExpiresAt));
    const listed = await t.request("/api/auth/sessions", { token: a.accessToken });
    const row = listed.body.data.find((s: { id: string }) => s.id === session.sessionId);
    expect(row.expires_at).toBe(toTimestamp(keyExpiresAt));

    // Refreshing just before the key expires works, but the token ends with the key.
    t.clock.advance(minutes(14));
    const refreshed = await t.request("/api/auth/refresh", {
      method: "POST",
      token: session.accessToken,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.expires_at).toBe(toTimestamp(keyExpiresAt));

    // After the key's expiry the fresh token (15 minutes by default) no longer refreshes.
    t.clock.advance(minutes(7));
    const late = await t.request("/api/auth/refresh", {
      method: "POST",
      token: refreshed.body.access_token,
    });
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe("token_expired");
    const again = await t.request("/api/auth/token", {
      method: "POST",
      json: { api_key: created.body.api_key },
    });
    expect(again.status).toBe(401);
  });

  it("keeps the 30-day session of a key without expiry", async () => {
    const session = await getToken(t, a.apiKey);
    const info = await t.request("/api/auth/session", { token: session.accessToken });
    const thirtyDays = t.clock.now() + 30 * 24 * 3600 * 1000;
    expect(info.body.session_expires_at).toBe(toTimestamp(thirtyDays));
  });
});

describe("access tokens in their canonical encoding only (issue 15.8)", () => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  it("refuses padded segments and non-canonical final characters that would still verify", async () => {
    const { accessToken } = await getToken(t, a.apiKey);
    const ok = await t.request("/api/auth/session", { token: accessToken });
    expect(ok.status).toBe(200);
    const [header, payload, signature] = accessToken.split(".") as [string, string, string];
    // An Ed25519 signature is 64 bytes: 86 characters whose last one carries 4 unused bits.
    const last = alphabet.indexOf(signature.at(-1) as string);
    const variants = [
      `${header}.${payload}.${signature}==`,
      `${header}.${payload}.${signature}=`,
      `${header}.${payload}.${signature.slice(0, -1)}${alphabet[last ^ 1]}`,
      `${header}.${payload}.${signature.slice(0, -1)}${alphabet[last ^ 0b1111]}`,
      `${header}=.${payload}.${signature}`,
      `${header}.${payload}.${Buffer.from(signature, "base64url").toString("base64")}`,
    ];
    for (const token of variants) {
      if (token === accessToken) continue;
      // Twice: a second request must not find the variant in the verified-token cache either.
      for (let i = 0; i < 2; i++) {
        const res = await t.request("/api/auth/session", { token });
        expect(res.status, token).toBe(401);
        expect(res.body.error.code).toBe("invalid_credentials");
      }
    }
    expect((await t.request("/api/auth/session", { token: accessToken })).status).toBe(200);
  });
});
