import type { Context, MiddlewareHandler } from "hono";
import type { SessionState } from "../../domains/auth/store.js";
import type { AppDeps, AppEnv, Caller } from "../env.js";
import { ApiError } from "../errors.js";
import { hashesEqual, isWellFormedSecret, sessionIdHash, sha256Hex } from "./secrets.js";

/** Which credential a route accepts. */
export type AuthMode = "access" | "recovery" | "access-or-recovery";

const invalid = (message = "The credential is not valid.") =>
  new ApiError("invalid_credentials", message);
const recoveryRequired = () =>
  new ApiError("recovery_key_required", "This operation needs the recovery key.");

/**
 * Route middleware that authenticates `Authorization: Bearer …` and sets `c.var.caller`.
 * Access tokens: verified offline (pinned alg/typ/iss/aud), then the session is checked alive on
 * every request so revocation is immediate. Recovery and api keys: format and checksum checked
 * before any lookup, then found by SHA-256 and compared in constant time.
 *
 * @throws ApiError 401 `missing_credentials` | `invalid_credentials` | `token_expired` |
 * `session_revoked`; 403 `recovery_key_required`.
 */
export function authenticate(deps: AuthDeps, mode: AuthMode): MiddlewareHandler<AppEnv> {
  const identify = createAuthenticator(deps, mode);
  return async (c, next) => {
    await identify(c);
    await next();
  };
}

/**
 * The work of {@link authenticate} as a plain function (for the fused guard, platform/guard.ts):
 * resolves the caller of `c` and sets `c.var.caller`, or throws the same errors.
 */
export function createAuthenticator(
  deps: AuthDeps,
  mode: AuthMode,
): (c: Context<AppEnv>, deferSession?: boolean) => Promise<void> {
  // Remembered session hashes: one cache per authenticator, so apps in one process share nothing.
  const sessionHashes = new Map<string, string>();
  return async (c, deferSession = false) => {
    const header = c.req.header("authorization");
    c.set("caller", await resolveCaller(deps, sessionHashes, mode, header, deferSession));
  };
}

/**
 * The refusal of a session for a request by `agentId` at `now`, or null when it is live: the
 * rule of every access-token request, whether the guard read the session or the operation's own
 * statement did (PostgreSQL: `sessionLive` in SQL is its mirror and must stay so).
 */
export function sessionRefusal(
  session: Pick<SessionState, "agentId" | "expiresAt" | "revokedAt"> | null,
  agentId: string,
  now: number,
): ApiError | null {
  if (!session || session.agentId !== agentId) return invalid();
  if (session.revokedAt !== null) {
    return new ApiError("session_revoked", "This session has been revoked.");
  }
  if (session.expiresAt <= now) {
    return new ApiError("token_expired", "The session has expired; exchange an api key again.");
  }
  return null;
}

/**
 * Makes the session check a request owes when no store made it (a validation error, a path that
 * did not reach the folded statement): reads the session as the guard would have. Throws the
 * same errors as {@link authenticate}.
 */
export async function settleDeferredSession(deps: AuthDeps, caller: Caller): Promise<void> {
  const owed = caller.session;
  if (owed === undefined || owed.checked) return;
  const session = await deps.store.auth.getSession(owed.idHash);
  owed.checked = true;
  const refused = sessionRefusal(session, caller.agentId, owed.now);
  if (refused) throw refused;
}

/** What {@link authenticate} needs: session lookups, token verification, the time. */
export interface AuthDeps {
  store: Pick<AppDeps["store"], "auth">;
  tokens: AppDeps["tokens"];
  clock: AppDeps["clock"];
}

async function resolveCaller(
  deps: AuthDeps,
  sessionHashes: Map<string, string>,
  mode: AuthMode,
  header: string | undefined,
  deferSession: boolean,
): Promise<Caller> {
  if (header === undefined || header.trim() === "") {
    throw new ApiError("missing_credentials", "Send a credential as `Authorization: Bearer …`.");
  }
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) throw invalid("The Authorization header must be `Bearer <credential>`.");
  const credential = match[1] as string;

  if (credential.startsWith("fxr_")) {
    if (mode === "access") throw invalid("This route needs an access token, not a recovery key.");
    if (!isWellFormedSecret(credential, "fxr")) throw invalid();
    const hash = sha256Hex(credential);
    const found = await deps.store.auth.findAgentByRecoveryKey(hash);
    if (!found || !hashesEqual(found.hash, hash)) throw invalid();
    return {
      kind: "recovery",
      agentId: found.agentId,
      sessionId: null,
      apiKeyId: null,
      sessionExpiresAt: null,
      recoveryKeyHash: hash,
      tokenIssuedAt: null,
      tokenExpiresAt: null,
    };
  }

  // Recovery-key routes decide by the credential's form, before checking it (spec: RecoveryKeyRequired).
  if (mode === "recovery") throw recoveryRequired();
  if (credential.startsWith("fxk_")) {
    throw invalid("Api keys are exchanged for access tokens at POST /api/auth/token.");
  }

  const claims = await deps.tokens.verify(credential);
  const idHash = sessionHash(sessionHashes, claims.sessionId);
  if (deferSession) {
    // The operation's statement checks the session (or the guard does after the handler).
    return {
      kind: "access",
      agentId: claims.agentId,
      sessionId: claims.sessionId,
      apiKeyId: null,
      sessionExpiresAt: null,
      recoveryKeyHash: null,
      tokenIssuedAt: claims.issuedAt,
      tokenExpiresAt: claims.expiresAt,
      session: { idHash, now: deps.clock.now(), checked: false },
    };
  }
  const session = await deps.store.auth.getSession(idHash);
  const refused = sessionRefusal(session, claims.agentId, deps.clock.now());
  if (refused) throw refused;
  if (session === null) throw invalid(); // unreachable: sessionRefusal refused it
  return {
    kind: "access",
    agentId: claims.agentId,
    sessionId: claims.sessionId,
    apiKeyId: session.apiKeyId,
    sessionExpiresAt: session.expiresAt,
    recoveryKeyHash: null,
    tokenIssuedAt: claims.issuedAt,
    tokenExpiresAt: claims.expiresAt,
  };
}

/** The stored key of a session id ({@link sessionIdHash}), remembered: every request of a session looks its row up by it. */
function sessionHash(sessionHashes: Map<string, string>, sessionId: string): string {
  let hash = sessionHashes.get(sessionId);
  if (hash === undefined) {
    if (sessionHashes.size >= 10_000) sessionHashes.clear();
    hash = sessionIdHash(sessionId);
    sessionHashes.set(sessionId, hash);
  }
  return hash;
}

/**
 * The authenticated caller of a route guarded by `authenticate`.
 *
 * @example
 * const { agentId } = callerOf(c);
 */
export function callerOf(c: Context<AppEnv>): Caller {
  const caller = c.get("caller") as Caller | undefined;
  if (!caller) throw new Error("callerOf() used on a route without authenticate()");
  return caller;
}
