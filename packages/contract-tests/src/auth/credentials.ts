import { expectEqual, expectError } from "../core/expect.js";
import { decodeJwt, signEd25519, unsigned } from "../core/jwt.js";
import { defineRules } from "../core/rule.js";
import { forgeSecret } from "../core/secrets.js";

const section = "api.md §2 Authentication · Session rules";

/** Which credential goes where, and tokens the server must refuse. */
export const credentialRules = defineRules("auth", section, [
  {
    id: "missing-credentials",
    title: "no Authorization answers 401 missing_credentials with WWW-Authenticate: Bearer",
    async run(ctx) {
      const res = await ctx.req({ method: "GET", path: "/api/agents/me" });
      expectError(res, 401, "missing_credentials");
      expectEqual(res.header("www-authenticate"), "Bearer", "WWW-Authenticate", res);
    },
  },
  {
    id: "garbage-token",
    title:
      'a malformed bearer token answers 401 invalid_credentials with WWW-Authenticate: Bearer error="invalid_token"',
    async run(ctx) {
      for (const token of ["garbage", "a.b.c", forgeSecret("fxk_").replace("fxk_", "eyJ")]) {
        const res = await ctx.req({ method: "GET", path: "/api/agents/me", auth: token });
        expectError(res, 401, "invalid_credentials", `token ${token.slice(0, 12)}`);
        expectEqual(
          res.header("www-authenticate"),
          'Bearer error="invalid_token"',
          "WWW-Authenticate",
          res,
        );
      }
    },
  },
  {
    id: "wrong-credential-kind",
    title:
      "an api key or recovery key sent where an access token is required answers 401 invalid_credentials",
    async run(ctx) {
      const a = await ctx.agent();
      for (const secret of [a.apiKey, a.recoveryKey]) {
        const res = await ctx.req({ method: "GET", path: "/api/agents/me", auth: secret });
        expectError(res, 401, "invalid_credentials", `${secret.slice(0, 4)} on GET /api/agents/me`);
      }
    },
  },
  {
    id: "recovery-key-required",
    title:
      "a recovery-key route given an access token or api key answers 403 recovery_key_required",
    async run(ctx) {
      const a = await ctx.agent();
      for (const secret of [a.token, a.apiKey]) {
        const rotate = await ctx.req({
          method: "POST",
          path: "/api/auth/recovery-key/rotate",
          auth: secret,
        });
        expectError(rotate, 403, "recovery_key_required", "POST /api/auth/recovery-key/rotate");
        const deactivate = await ctx.req({
          method: "DELETE",
          path: "/api/agents/me",
          auth: secret,
        });
        expectError(deactivate, 403, "recovery_key_required", "DELETE /api/agents/me");
      }
      const missing = await ctx.req({ method: "POST", path: "/api/auth/recovery-key/rotate" });
      expectError(missing, 401, "missing_credentials", "rotate without credentials");
    },
  },
  {
    id: "forged-tokens",
    ref: "security.md #7–8",
    title:
      "tokens with alg none, a foreign Ed25519 key, a tampered payload, wrong iss/aud/typ or no sid answer 401 invalid_credentials",
    async run(ctx) {
      const a = await ctx.agent();
      const { header, payload, signingInput } = decodeJwt(a.token);
      const signature = a.token.split(".")[2] as string;
      const tampered = `${signingInput.split(".")[0]}.${Buffer.from(JSON.stringify({ ...payload, sub: "agt_00000000000000000000000000" })).toString("base64url")}.${signature}`;
      const { sid: _sid, ...noSid } = payload;
      const cases: Array<[string, string]> = [
        ["alg none", unsigned(header, payload)],
        ["foreign key, same kid", signEd25519(header, payload)],
        ["tampered payload", tampered],
        ["wrong iss", signEd25519(header, { ...payload, iss: "https://evil.example" })],
        ["wrong aud", signEd25519(header, { ...payload, aud: "other-api" })],
        ["typ JWT", signEd25519({ ...header, typ: "JWT" }, payload)],
        ["no sid", signEd25519(header, noSid)],
        ["unknown kid", signEd25519({ ...header, kid: "unknown-kid" }, payload)],
      ];
      for (const [name, token] of cases) {
        const res = await ctx.req({ method: "GET", path: "/api/agents/me", auth: token });
        expectError(res, 401, "invalid_credentials", name);
      }
    },
  },
  {
    id: "exchange-refusals",
    ref: "POST /api/auth/token",
    title:
      "token exchange with an unknown key, a recovery key or a malformed body answers 401 / 422, never a session",
    async run(ctx) {
      const a = await ctx.agent();
      const unknown = await ctx.req({
        method: "POST",
        path: "/api/auth/token",
        body: { api_key: forgeSecret("fxk_") },
      });
      expectError(unknown, 401, "invalid_credentials", "an unknown api key");
      const recovery = await ctx.req({
        method: "POST",
        path: "/api/auth/token",
        body: { api_key: a.recoveryKey },
      });
      expectError(recovery, 422, "validation_failed", "a recovery key as api_key");
      const none = await ctx.req({ method: "POST", path: "/api/auth/token", body: {} });
      expectError(none, 422, "validation_failed", "no api_key");
    },
  },
]);
