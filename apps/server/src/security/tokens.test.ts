import { createPrivateKey, sign as cryptoSign, generateKeyPairSync } from "node:crypto";
import { exportJWK, importJWK, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, registerAgent, type TestAgent, type TestApp } from "../testing/index.js";

// Threats 6–9 of security.md (RFC 8725, RFC 9068). alg none, HS256-with-the-public-key, a
// foreign key and plain expiry are in src/platform/auth/tokens.test.ts; this file adds the rest.

let t: TestApp;
let a: TestAgent;
let b: TestAgent;
let serverJwk: JWK;
let kid: string;

beforeAll(async () => {
  t = createTestApp();
  a = await registerAgent(t);
  b = await registerAgent(t);
  const row = t.store.db.raw
    .prepare("SELECT value FROM server_secrets WHERE name = 'jwt_signing_key'")
    .get() as { value: string };
  serverJwk = JSON.parse(row.value);
  kid = (await t.request("/api/auth/jwks.json")).body.keys[0].kid;
});
afterAll(async () => t.close());

type Parts = { header?: Record<string, unknown>; claims?: Record<string, unknown> };

/** Signs claims like the server does (its own key by default), with overrides; undefined deletes. */
async function sign(overrides: Parts = {}, key: JWK = serverJwk) {
  const now = Math.floor(t.clock.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: "https://chat.tryfluxra.com",
    aud: "fluxra-chat-api",
    sub: a.id,
    sid: a.sessionId,
    jti: "jti-1",
    iat: now,
    exp: now + 900,
    ...overrides.claims,
  };
  const header: Record<string, unknown> = { alg: "EdDSA", typ: "at+jwt", kid, ...overrides.header };
  for (const o of [claims, header])
    for (const [k, v] of Object.entries(o)) if (v === undefined) delete o[k];
  return new SignJWT(claims)
    .setProtectedHeader(header as never)
    .sign(await importJWK({ ...key, alg: "EdDSA" }, "EdDSA"));
}

async function refused(token: string, path = "/api/auth/session") {
  const res = await t.request(path, { token });
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  return res.body.error.code as string;
}

describe("forged and altered access tokens → 401 with WWW-Authenticate", () => {
  it("accepts the control token (the forger signs exactly like the server)", async () => {
    expect((await t.request("/api/auth/session", { token: await sign() })).status).toBe(200);
  });

  it.each<[string, Parts]>([
    ["unknown kid", { header: { kid: "not-a-key" } }],
    ["no kid", { header: { kid: undefined } }],
    ["typ JWT", { header: { typ: "JWT" } }],
    ["no typ", { header: { typ: undefined } }],
    ["wrong iss", { claims: { iss: "https://evil.example" } }],
    ["wrong aud", { claims: { aud: "another-api" } }],
    ["aud list without ours", { claims: { aud: ["x", "y"] } }],
    ["no iss", { claims: { iss: undefined } }],
    ["no aud", { claims: { aud: undefined } }],
    ["no sub", { claims: { sub: undefined } }],
    ["no sid", { claims: { sid: undefined } }],
    ["no jti", { claims: { jti: undefined } }],
    ["no exp", { claims: { exp: undefined } }],
    ["no iat", { claims: { iat: undefined } }],
    ["numeric sid", { claims: { sid: 42 } }],
    ["sub of another agent with my session", { claims: { sub: "agt_00000000000000000000000000" } }],
    ["unknown session", { claims: { sid: "ses_00000000000000000000000000" } }],
  ])("%s → invalid_credentials", async (_, parts) => {
    expect(await refused(await sign(parts))).toBe("invalid_credentials");
  });

  it("a critical header the server does not understand → invalid_credentials", async () => {
    // jose refuses to sign this, so the token is assembled by hand with the server's key.
    const now = Math.floor(t.clock.now() / 1000);
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const payload = enc({
      iss: "https://chat.tryfluxra.com",
      aud: "fluxra-chat-api",
      sub: a.id,
      sid: a.sessionId,
      jti: "j",
      iat: now,
      exp: now + 900,
    });
    const key = createPrivateKey({ key: serverJwk as never, format: "jwk" });
    const token = (extra: Record<string, unknown>) => {
      const header = enc({ alg: "EdDSA", typ: "at+jwt", kid, ...extra });
      const signature = cryptoSign(null, Buffer.from(`${header}.${payload}`), key);
      return `${header}.${payload}.${signature.toString("base64url")}`;
    };
    expect((await t.request("/api/auth/session", { token: token({}) })).status).toBe(200);
    expect(await refused(token({ crit: ["x-unknown"], "x-unknown": 1 }))).toBe(
      "invalid_credentials",
    );
  });

  it("another agent's session id under my sub is refused (sub/sid must belong together)", async () => {
    expect(await refused(await sign({ claims: { sid: b.sessionId } }))).toBe("invalid_credentials");
  });

  it("nbf in the future beyond leeway → invalid_credentials; within leeway → accepted", async () => {
    const now = Math.floor(t.clock.now() / 1000);
    expect(await refused(await sign({ claims: { nbf: now + 120 } }))).toBe("invalid_credentials");
    const within = await t.request("/api/auth/session", {
      token: await sign({ claims: { nbf: now + 10 } }),
    });
    expect(within.status).toBe(200);
  });

  it("exp beyond the 30 s leeway → token_expired; within it → accepted", async () => {
    const now = Math.floor(t.clock.now() / 1000);
    expect(await refused(await sign({ claims: { exp: now - 31, iat: now - 900 } }))).toBe(
      "token_expired",
    );
    const within = await t.request("/api/auth/session", {
      token: await sign({ claims: { exp: now - 20, iat: now - 900 } }),
    });
    expect(within.status).toBe(200);
  });

  it("a tampered payload or header (signature kept) is refused", async () => {
    const [h, p, s] = (await sign()).split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString());
    const swapped = Buffer.from(JSON.stringify({ ...payload, sub: b.id, sid: b.sessionId }));
    expect(await refused(`${h}.${swapped.toString("base64url")}.${s}`)).toBe("invalid_credentials");
    const header = Buffer.from(JSON.stringify({ alg: "EdDSA", typ: "at+jwt", kid: "x" }));
    expect(await refused(`${header.toString("base64url")}.${p}.${s}`)).toBe("invalid_credentials");
    expect(await refused(`${h}.${p}.${s.slice(0, -4)}AAAA`)).toBe("invalid_credentials");
    expect(await refused(`${h}.${p}.`)).toBe("invalid_credentials");
  });

  it("a key embedded in the token (jwk / jku header) is never trusted", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const attacker = await exportJWK(privateKey);
    const attackerPublic = await exportJWK(publicKey);
    const embedded = await sign({ header: { kid: undefined, jwk: attackerPublic } }, attacker);
    expect(await refused(embedded)).toBe("invalid_credentials");
    const remote = await sign({ header: { jku: "https://evil.example/jwks.json" } }, attacker);
    expect(await refused(remote)).toBe("invalid_credentials");
  });

  it("malformed Authorization headers → 401", async () => {
    for (const header of ["Bearer", "Bearer  ", "Basic Zm9vOmJhcg==", "Bearer a b", "token abc"]) {
      const res = await t.request("/api/agents/me", { headers: { authorization: header } });
      expect(res.status, header).toBe(401);
      expect(["missing_credentials", "invalid_credentials"]).toContain(res.body.error.code);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
  });
});

describe("the wrong kind of credential (security.md 6)", () => {
  it("api key or recovery key where an access token is required → 401 invalid_credentials", async () => {
    for (const credential of [a.apiKey, a.recoveryKey]) {
      for (const path of ["/api/agents/me", "/api/auth/session", "/api/conversations"]) {
        expect(await refused(credential, path)).toBe("invalid_credentials");
      }
    }
  });

  it("access token or api key on a recovery-key route → 403 recovery_key_required", async () => {
    for (const credential of [a.accessToken, a.apiKey, "garbage"]) {
      const rotate = await t.request("/api/auth/recovery-key/rotate", {
        method: "POST",
        token: credential,
      });
      expect([rotate.status, rotate.body.error.code]).toEqual([403, "recovery_key_required"]);
      const deactivate = await t.request("/api/agents/me", { method: "DELETE", token: credential });
      expect([deactivate.status, deactivate.body.error.code]).toEqual([
        403,
        "recovery_key_required",
      ]);
    }
    expect((await t.request("/api/agents/me", { token: a.accessToken })).body.deactivated_at).toBe(
      null,
    );
  });

  it("an access token or recovery key in the token exchange, an api key in recover → 422", async () => {
    for (const credential of [a.accessToken, a.recoveryKey]) {
      const res = await t.request("/api/auth/token", {
        method: "POST",
        json: { api_key: credential },
      });
      expect(res.status).toBe(422);
    }
    const recover = await t.request("/api/auth/recover", {
      method: "POST",
      json: { agent_id: a.id, recovery_key: a.apiKey },
    });
    expect(recover.status).toBe(422);
  });
});
