import type { IncomingMessage } from "node:http";
import type { KeyRing } from "./auth/keyring.js";
import type { TokenService } from "./auth/tokens.js";
import type { Clock } from "./clock.js";
import type { ServerConfig } from "./config.js";
import type { Guard } from "./guard.js";
import type { IdGenerator } from "./ids.js";
import type { CursorCodec } from "./pagination.js";
import type { Store } from "./store.js";

/** Who is calling, as established by the auth middleware. */
export interface Caller {
  /** Which credential authenticated the request. */
  kind: "access" | "recovery";
  agentId: string;
  /** Set for access tokens. */
  sessionId: string | null;
  apiKeyId: string | null;
  /** The session's absolute expiry in epoch ms (access tokens only). */
  sessionExpiresAt: number | null;
  /** SHA-256 of the presented recovery key (recovery keys only). */
  recoveryKeyHash: string | null;
  /** The presented token's `iat`/`exp` in epoch ms (access tokens only). */
  tokenIssuedAt: number | null;
  tokenExpiresAt: number | null;
  /**
   * Set when the session's liveness check was deferred into the operation's own statement
   * (PostgreSQL hot routes, platform/guard.ts): the store sets `checked` once its statement read
   * the session; the guard reads the session itself after the handler when no store did.
   * `apiKeyId` and `sessionExpiresAt` are null then (those routes do not use them).
   */
  session?: DeferredSession;
}

/** A session check owed by the request (see {@link Caller.session}). */
export interface DeferredSession {
  /** `sessionIdHash` of the session id: the row's key. */
  idHash: string;
  /** The time the guard would have checked it at (its clock, when it verified the token). */
  now: number;
  checked: boolean;
}

/** Everything a domain needs, created once per app by `createApp`. */
export interface AppDeps {
  store: Store;
  clock: Clock;
  config: ServerConfig;
  ids: IdGenerator;
  keys: KeyRing;
  tokens: TokenService;
  cursors: CursorCodec;
  /** Middleware stacks for routes: `deps.guard.agent("access", "write")`. */
  guard: Guard;
  /** Aborted when the server shuts down: held long-polls answer, streams end. */
  shutdown?: AbortSignal;
}

/** The Hono environment of every route: per-request variables set by the platform middleware. */
export interface AppEnv {
  Bindings: { incoming?: IncomingMessage };
  Variables: {
    requestId: string;
    /** Set by `authenticate(...)`; read it with `callerOf(c)`. */
    caller: Caller;
    /** The request body as received (after the size limit), or "" when there is none. */
    rawBody: string;
    /** The client address used for anonymous rate limits and idempotency scopes. */
    clientAddress: string;
  };
}
