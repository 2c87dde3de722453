import { AuthenticationError } from "../core/error.js";
import type { Emitter } from "../core/events.js";
import { withTimeout } from "../core/signals.js";
import type { components } from "../generated/schema.js";
import type { ObtainedToken, ObtainToken } from "./token-manager.js";
import type { TokenStore } from "./token-store.js";

type TokenResponse = components["schemas"]["TokenResponse"];

/** The two token endpoints, as throwing calls (supplied by the client). */
export interface TokenEndpoints {
  /** `POST /api/auth/token` with the api key: opens a new session. */
  exchange(signal: AbortSignal): Promise<TokenResponse>;
  /** `POST /api/auth/refresh` with a still-valid token: same session, new token. */
  refresh(accessToken: string, signal: AbortSignal): Promise<TokenResponse>;
}

function fromResponse(res: TokenResponse): ObtainedToken {
  return {
    accessToken: res.access_token,
    lifetimeMs: res.expires_in * 1000,
    sessionId: res.session_id,
    expiresAt: res.expires_at,
  };
}

/**
 * The api-key strategy: (1) adopt a fresh token another process put in the store, (2) refresh the
 * held token while it is still valid (keeps the session), (3) otherwise exchange the api key for a
 * new session. A token restored from the store is judged once by the wall clock against its
 * `expires_at` (a monotonic clock does not survive restarts); a 401 `token_expired` corrects any skew.
 */
export function apiKeySource(options: {
  endpoints: TokenEndpoints;
  store: TokenStore;
  storeKey: string;
  windowMs: number;
  now: () => number;
  emitter: Emitter;
  /** Tokens the server rejected, never adopted from the store again. */
  rejected: Set<string>;
  /** Bounds each store operation: a hung store must not stall every caller (default 60 s). */
  storeTimeoutMs: number;
  setTimer: (fn: () => void, ms: number) => () => void;
}): ObtainToken {
  const { endpoints, store, storeKey, emitter } = options;
  // A failing or hung store degrades to "no stored token": the api key still works.
  const guarded = async <T>(op: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withTimeout(
        op(),
        options.storeTimeoutMs,
        options.setTimer,
        () => new Error("Token store timed out."),
      );
    } catch (error) {
      emitter.emit("authError", { error: error as Error });
      return undefined;
    }
  };
  const save = async (token: ObtainedToken) => {
    await guarded(() =>
      store.set(storeKey, {
        accessToken: token.accessToken,
        expiresAt: token.expiresAt ?? "",
        sessionId: token.sessionId,
      }),
    );
    return token;
  };
  return async (current, signal) => {
    const stored = await guarded(() => store.get(storeKey));
    if (
      stored &&
      stored.accessToken !== current?.accessToken &&
      !options.rejected.has(stored.accessToken)
    ) {
      const lifetimeMs = Date.parse(stored.expiresAt) - Date.now();
      if (lifetimeMs > options.windowMs) {
        return { token: { ...stored, lifetimeMs }, reason: "store" };
      }
    }
    if (current && options.now() < current.expiredAt) {
      try {
        const token = fromResponse(await endpoints.refresh(current.accessToken, signal));
        return { token: await save(token), reason: "refresh" };
      } catch (error) {
        // A 401 means the session is gone: fall through to a new exchange. Anything else
        // (network, 429, 5xx) while the held token is still valid: keep serving it.
        if (!(error instanceof AuthenticationError)) {
          if (signal.aborted) throw error;
          return undefined;
        }
      }
    }
    const token = fromResponse(await endpoints.exchange(signal));
    return { token: await save(token), reason: "exchange" };
  };
}
