import { generateKeyPairSync } from "node:crypto";
import { importJWK, type JWK, SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, registerAgent, type TestAgent, type TestApp } from "../../testing/index.js";

let t: TestApp;
let a: TestAgent;
let serverJwk: JWK & { x: string; d: string };
let kid: string;

beforeEach(async () => {
  t = createTestApp();
  a = await registerAgent(t);
  const row = t.store.db.raw
    .prepare("SELECT value FROM server_secrets WHERE name = 'jwt_signing_key'")
    .get() as { value: string };
  serverJwk = JSON.parse(row.value);
  kid = (await t.request("/api/auth/jwks.json")).body.keys[0].kid;
});
afterEach(async () => t.close());

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

/** Signs claims like the server does, with overrides, using `key` (default: the server's key). */
async function sign(
  overrides: { header?: Record<string, unknown>; claims?: Record<string, unknown> } = {},
  key: JWK = serverJwk,
) {
  const now = Math.floor(t.clock.now() / 1000);
  const claims = {
    iss: "https://chat.tryfluxra.com",
    aud: "fluxra-chat-api",
    sub: a.id,
    sid: a.sessionId,
    jti: "jti-1",
    iat: now,
    exp: now + 900,
    ...overrides.claims,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete (claims as never)[k];
  const header = { alg: "EdDSA", typ: "at+jwt", kid, ...overrides.header };
  return new SignJWT(claims)
    .setProtectedHeader(header as never)
    .sign(await importJWK({ ...key, alg: "EdDSA" }, "EdDSA"));
}

async function refusal(token: string) {
  const res = await t.request("/api/auth/session", { token });
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  return res.body.error.code as string;
}

describe("access-token verification", () => {
  it("accepts a token signed like the server's own", async () => {
    const res = await t.request("/api/auth/session", { token: await sign() });
    expect(res.status).toBe(200);
  });

  it("refuses alg none", async () => {
    const now = Math.floor(t.clock.now() / 1000);
    const token = `${b64({ alg: "none", typ: "at+jwt", kid })}.${b64({ sub: a.id, sid: a.sessionId, iss: "https://chat.tryfluxra.com", aud: "fluxra-chat-api", jti: "x", iat: now, exp: now + 900 })}.`;
    expect(await refusal(token)).toBe("invalid_credentials");
  });

  it("refuses HS256 signed with the public key (algorithm confusion)", async () => {
    const { createHmac } = await import("node:crypto");
    const now = Math.floor(t.clock.now() / 1000);
    const head = `${b64({ alg: "HS256", typ: "at+jwt", kid })}.${b64({ sub: a.id, sid: a.sessionId, iss: "https://chat.tryfluxra.com", aud: "fluxra-chat-api", jti: "x", iat: now, exp: now + 900 })}`;
    const sig = createHmac("sha256", serverJwk.x).update(head).digest("base64url");
    expect(await refusal(`${head}.${sig}`)).toBe("invalid_credentials");
  });

  it("refuses a foreign Ed25519 key, even when it claims the server's kid", async () => {
    const foreign = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as JWK;
    expect(await refusal(await sign({}, foreign))).toBe("invalid_credentials");
    expect(await refusal(await sign({ header: { kid: "unknown" } }))).toBe("invalid_credentials");
  });

  it.each([
    ["wrong audience", { claims: { aud: "someone-else" } }],
    ["wrong issuer", { claims: { iss: "https://evil.example" } }],
    ["wrong typ", { header: { typ: "JWT" } }],
    ["missing sid", { claims: { sid: undefined } }],
    ["missing jti", { claims: { jti: undefined } }],
    ["a sid of another agent", { claims: { sid: "ses_01jqzbcz1y3x5w7v9t1s3r5q7p" } }],
    ["future nbf", { claims: { nbf: Math.floor(Date.UTC(2027, 0, 1) / 1000) } }],
  ])("refuses %s with invalid_credentials", async (_label, overrides) => {
    expect(await refusal(await sign(overrides))).toBe("invalid_credentials");
  });

  it("refuses a token expired beyond the 30 s leeway with token_expired", async () => {
    const now = Math.floor(t.clock.now() / 1000);
    const stale = await sign({ claims: { iat: now - 1000, exp: now - 31 } });
    expect(await refusal(stale)).toBe("token_expired");
    const withinLeeway = await sign({ claims: { iat: now - 1000, exp: now - 20 } });
    expect((await t.request("/api/auth/session", { token: withinLeeway })).status).toBe(200);
  });

  it("refuses a garbled token and a non-Bearer scheme", async () => {
    expect(await refusal("not.a.jwt")).toBe("invalid_credentials");
    const res = await t.request("/api/agents/me", {
      headers: { authorization: `Basic ${a.accessToken}` },
    });
    expect(res.body.error.code).toBe("invalid_credentials");
  });
});
