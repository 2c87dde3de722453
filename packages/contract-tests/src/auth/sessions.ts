import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { decodeJwt, verifiesWith } from "../core/jwt.js";
import { defineRules } from "../core/rule.js";

const section = "api.md §2 Authentication";
const iso = (s: number) => new Date(s * 1000).toISOString();

/** Token exchange, refresh, sessions, logout, JWKS. */
export const sessionRules = defineRules("auth", section, [
  {
    id: "token-exchange",
    ref: "POST /api/auth/token; Session rules",
    title:
      "token exchange answers 200 { access_token, token_type Bearer, expires_in, expires_at, session_id } with no-store; an EdDSA at+jwt with iss, aud, sub, sid, jti, iat, exp",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/token",
        body: { api_key: a.apiKey },
      });
      expectStatus(res, 200);
      expectEqual(res.header("cache-control"), "no-store", "Cache-Control", res);
      const t = res.json;
      expectEqual(t.token_type, "Bearer", "token_type", res);
      const { header, payload } = decodeJwt(t.access_token);
      expectEqual([header["alg"], header["typ"]], ["EdDSA", "at+jwt"], "JWT alg/typ", res);
      ensure(typeof header["kid"] === "string", "JWT header has no kid", res);
      for (const claim of ["iss", "aud", "sub", "sid", "jti", "iat", "exp"]) {
        ensure(claim in payload, `claim ${claim} missing`, res);
      }
      expectEqual(payload["sub"], a.id, "sub", res);
      expectEqual(payload["sid"], t.session_id, "sid = session_id", res);
      expectEqual(
        (payload["exp"] as number) - (payload["iat"] as number),
        t.expires_in,
        "exp - iat = expires_in",
        res,
      );
      expectEqual(iso(payload["exp"] as number), t.expires_at, "expires_at = exp", res);
    },
  },
  {
    id: "jwks-verifies-tokens",
    ref: "GET /api/auth/jwks.json",
    title: "the JWKS publishes the Ed25519 key (kid) that verifies access tokens offline",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({ method: "GET", path: "/api/auth/jwks.json" });
      expectStatus(res, 200);
      const kid = decodeJwt(a.token).header["kid"];
      const jwk = res.json.keys.find((k: { kid: string }) => k.kid === kid);
      ensure(jwk, `no key with the token's kid ${String(kid)}`, res);
      ensure(
        verifiesWith(a.token, jwk),
        "the access token does not verify with the published key",
        res,
      );
    },
  },
  {
    id: "refresh",
    ref: "POST /api/auth/refresh",
    title:
      "refresh answers 200 with a new token for the same session, never past the session's absolute expiry",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({ method: "POST", path: "/api/auth/refresh", auth: a.token });
      expectStatus(res, 200);
      expectEqual(res.header("cache-control"), "no-store", "Cache-Control", res);
      expectEqual(res.json.session_id, a.sessionId, "session_id", res);
      const session = await ctx.req({
        method: "GET",
        path: "/api/auth/session",
        auth: res.json.access_token,
      });
      expectStatus(session, 200, "session of the refreshed token");
      ensure(
        session.json.expires_at <= session.json.session_expires_at,
        "token outlives its session",
        session,
      );
      const empty = await ctx.req({
        method: "POST",
        path: "/api/auth/refresh",
        auth: a.token,
        body: { extra: 1 },
      });
      expectError(empty, 422, "validation_failed", "refresh with a body field");
    },
  },
  {
    id: "session-info",
    ref: "GET /api/auth/session",
    title: "GET /api/auth/session describes the presented token: agent, session, api key, iat/exp",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({ method: "GET", path: "/api/auth/session", auth: a.token });
      expectStatus(res, 200);
      const { payload } = decodeJwt(a.token);
      expectEqual(
        [
          res.json.agent_id,
          res.json.session_id,
          res.json.api_key_id,
          res.json.issued_at,
          res.json.expires_at,
        ],
        [
          a.id,
          a.sessionId,
          a.apiKeyId,
          iso(payload["iat"] as number),
          iso(payload["exp"] as number),
        ],
        "agent_id, session_id, api_key_id, issued_at, expires_at",
        res,
      );
    },
  },
  {
    id: "sessions-list",
    ref: "GET /api/auth/sessions",
    title: "sessions lists live sessions newest first, marking the current one",
    async run(ctx) {
      const a = await ctx.agent();
      const second = await ctx.sdk().auth.exchangeToken(a.apiKey);
      const res = await ctx.req({ method: "GET", path: "/api/auth/sessions", auth: a.token });
      expectStatus(res, 200);
      const rows = res.json.data as Array<{ id: string; current: boolean }>;
      expectEqual(
        rows.map((s) => s.id),
        [second.session_id, a.sessionId],
        "session ids, newest first",
        res,
      );
      expectEqual(
        rows.map((s) => s.current),
        [false, true],
        "current flags",
        res,
      );
    },
  },
  {
    id: "session-revoke",
    ref: "DELETE /api/auth/sessions/{session_id}",
    title:
      "revoking a session answers 204; its token then gets 401 session_revoked; it leaves the list; repeating answers 204",
    async run(ctx) {
      const a = await ctx.agent();
      const second = await ctx.sdk().auth.exchangeToken(a.apiKey);
      const del = await ctx.req({
        method: "DELETE",
        path: `/api/auth/sessions/${second.session_id}`,
        auth: a.token,
      });
      expectStatus(del, 204);
      const dead = await ctx.req({
        method: "GET",
        path: "/api/agents/me",
        auth: second.access_token,
      });
      expectError(dead, 401, "session_revoked", "the revoked session's token");
      expectEqual(
        dead.header("www-authenticate"),
        'Bearer error="invalid_token"',
        "WWW-Authenticate",
        dead,
      );
      const list = await ctx.req({ method: "GET", path: "/api/auth/sessions", auth: a.token });
      expectEqual(
        list.json.data.map((s: { id: string }) => s.id),
        [a.sessionId],
        "live sessions",
        list,
      );
      const again = await ctx.req({
        method: "DELETE",
        path: `/api/auth/sessions/${second.session_id}`,
        auth: a.token,
      });
      expectStatus(again, 204, "revoking it again");
    },
  },
  {
    id: "session-revoke-visibility",
    ref: "DELETE /api/auth/sessions/{session_id}; §1 visibility",
    title: "revoking another agent's session answers 404 not_found and leaves it alive",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const res = await ctx.req({
        method: "DELETE",
        path: `/api/auth/sessions/${b.sessionId}`,
        auth: a.token,
      });
      expectError(res, 404, "not_found");
      const alive = await ctx.req({ method: "GET", path: "/api/agents/me", auth: b.token });
      expectStatus(alive, 200, "B's session");
    },
  },
  {
    id: "logout",
    ref: "POST /api/auth/logout",
    title: "logout answers 204 and revokes the current session only",
    async run(ctx) {
      const a = await ctx.agent();
      const other = await ctx.sdk().auth.exchangeToken(a.apiKey);
      const res = await ctx.req({ method: "POST", path: "/api/auth/logout", auth: a.token });
      expectStatus(res, 204);
      const after = await ctx.req({ method: "GET", path: "/api/agents/me", auth: a.token });
      expectError(after, 401, "session_revoked", "the logged-out token");
      const alive = await ctx.req({
        method: "GET",
        path: "/api/agents/me",
        auth: other.access_token,
      });
      expectStatus(alive, 200, "the agent's other session");
    },
  },
]);
