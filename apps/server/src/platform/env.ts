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
