import type { Context } from "hono";
import type { AuthHandlers } from "../../generated/routes.js";
import { callerOf } from "../../platform/auth/middleware.js";
import {
  hashesEqual,
  isWellFormedSecret,
  sessionIdHash,
  sha256Hex,
} from "../../platform/auth/secrets.js";
import { toTimestamp } from "../../platform/clock.js";
import type { AppDeps, AppEnv } from "../../platform/env.js";
import { ApiError } from "../../platform/errors.js";
import { toPage } from "../../platform/pagination.js";

const invalidKey = () => new ApiError("invalid_credentials", "The api key is not valid.");

/** Token exchange, refresh, sessions, logout and the JWKS. */
export function sessionHandlers(deps: AppDeps) {
  const { store, clock, ids, guard, tokens, cursors, config, keys } = deps;

  /** Signs a token for the session and renders `TokenResponse` (sent with no-store). */
  async function tokenResponse(
    c: Context<AppEnv>,
    agentId: string,
    sessionId: string,
    sessionExpiresAt: number,
  ) {
    const issued = await tokens.issue(agentId, sessionId, sessionExpiresAt);
    const expiresIn = Math.round((issued.expiresAt - issued.issuedAt) / 1000);
    if (expiresIn < 1) throw new ApiError("token_expired", "The session has expired.");
    c.header("Cache-Control", "no-store");
    return {
      access_token: issued.token,
      token_type: "Bearer" as const,
      expires_in: expiresIn,
      expires_at: toTimestamp(issued.expiresAt),
      session_id: sessionId,
    };
  }

  /** A stored token response replays only while its session is alive (not revoked or expired). */
  async function sessionStillLive(_c: Context<AppEnv>, stored: string) {
    const { session_id } = JSON.parse(stored) as { session_id: string };
    const session = await store.auth.getSession(sessionIdHash(session_id));
    if (!session || session.revokedAt !== null) {
      throw new ApiError("session_revoked", "The session this request opened has been revoked.");
    }
    if (session.expiresAt <= clock.now()) {
      throw new ApiError("token_expired", "The session this request opened has expired.");
    }
  }

  const exchange = guard.anonymous("token", { beforeReplay: sessionStillLive });

  return {
    exchangeToken: {
      middleware: exchange,
      handler: async (c) => {
        const { api_key } = c.req.valid("json");
        // Refused before any lookup: a typo or a scanner's guess never reaches the database.
        if (!isWellFormedSecret(api_key, "fxk")) throw invalidKey();
        const hash = sha256Hex(api_key);
        await guard.limiter(c, "token", `key:${hash.slice(0, 32)}`);
        const key = await store.auth.findApiKeyBySecret(hash);
        const now = clock.now();
        if (!key || !hashesEqual(key.hash, hash) || key.revokedAt !== null) throw invalidKey();
        if (key.expiresAt !== null && key.expiresAt <= now) throw invalidKey();
        if (!key.agentActive) throw invalidKey();
        const session = {
          id: ids.next("ses"),
          agentId: key.agentId,
          apiKeyId: key.id,
          createdAt: now,
          // Never outlives the key that opened it: an expiring key bounds its sessions, and so
          // `session_expires_at` (a revoked key revokes them outright).
          expiresAt: Math.min(now + config.sessionTtlSeconds * 1000, key.expiresAt ?? Infinity),
        };
        // False when the key was revoked after the lookup above: no session, no token.
        if (!(await store.auth.createSession(session, sessionIdHash(session.id))))
          throw invalidKey();
        return c.json(await tokenResponse(c, session.agentId, session.id, session.expiresAt), 200);
      },
    },
    refreshToken: {
      // Bound to the session: another session of the agent never gets this one's token.
      middleware: guard.agent("access", "write", { bindToCredential: true }),
      handler: async (c) => {
        const caller = callerOf(c);
        const body = await tokenResponse(
          c,
          caller.agentId,
          caller.sessionId as string,
          caller.sessionExpiresAt as number,
        );
        return c.json(body, 200);
      },
    },
    getSession: {
      middleware: guard.agent("access", "read"),
      handler: async (c) => {
        const caller = callerOf(c);
        return c.json(
          {
            agent_id: caller.agentId,
            session_id: caller.sessionId as string,
            api_key_id: caller.apiKeyId as string,
            issued_at: toTimestamp(caller.tokenIssuedAt as number),
            expires_at: toTimestamp(caller.tokenExpiresAt as number),
            session_expires_at: toTimestamp(caller.sessionExpiresAt as number),
          },
          200,
        );
      },
    },
    listSessions: {
      middleware: guard.agent("access", "read"),
      handler: async (c) => {
        const caller = callerOf(c);
        const { limit, cursor } = c.req.valid("query");
        const after = cursor === undefined ? undefined : cursors.decode("sessions", cursor);
        const rows = await store.auth.listSessions(
          caller.agentId,
          caller.sessionId,
          clock.now(),
          limit + 1,
          after,
        );
        return c.json(
          toPage(rows, limit, (last) => cursors.encode("sessions", last.id)),
          200,
        );
      },
    },
    revokeSession: {
      middleware: guard.agent("access", "write"),
      handler: async (c) => {
        const { session_id } = c.req.valid("param");
        const revoked = await store.auth.revokeSession(
          callerOf(c).agentId,
          sessionIdHash(session_id),
          clock.now(),
        );
        if (!revoked) throw new ApiError("not_found", "No such session.");
        return c.body(null, 204);
      },
    },
    logout: {
      middleware: guard.agent("access", "write"),
      handler: async (c) => {
        const caller = callerOf(c);
        await store.auth.revokeSession(
          caller.agentId,
          sessionIdHash(caller.sessionId as string),
          clock.now(),
        );
        return c.body(null, 204);
      },
    },
    getJwks: {
      middleware: guard.anonymous("public"),
      handler: async (c) => {
        return c.json((await keys.ready()).jwks, 200);
      },
    },
  } satisfies Partial<AuthHandlers>;
}
