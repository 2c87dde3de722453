import type { FluxraClientOptions, RawClient } from "../client.js";
import { bearer, unwrap } from "../core/call.js";
import type { Clock } from "../core/clock.js";
import { APIConnectionTimeoutError } from "../core/error.js";
import type { Emitter } from "../core/events.js";
import { linkedController, raceAbort } from "../core/signals.js";
import type { AuthProvider } from "../core/transport.js";
import { apiKeySource } from "./api-key-source.js";
import { type ObtainToken, TokenManager } from "./token-manager.js";
import { createMemoryTokenStore } from "./token-store.js";

/**
 * Picks the credential strategy from the client options (precedence: `apiKey`, `credentials`,
 * `accessToken`) and returns what the transport uses to authenticate, or `undefined` for an
 * anonymous client.
 */
export function createAuth(
  options: FluxraClientOptions,
  deps: { clock: Clock; emitter: Emitter; raw: () => RawClient },
): AuthProvider | undefined {
  const { apiKey, credentials, accessToken } = options;
  const { clock, emitter, raw } = deps;
  const windowMs = options.refreshWindowMs ?? 60_000;
  const rejected = new Set<string>();
  const store = options.tokenStore ?? createMemoryTokenStore();
  // The api key's public prefix (`fxk_` + 8 characters), never the secret itself.
  const storeKey = `fluxra:${apiKey?.slice(0, 12)}`;
  let obtain: ObtainToken;
  if (apiKey) {
    obtain = apiKeySource({
      endpoints: {
        exchange: (signal) =>
          unwrap(raw().POST("/api/auth/token", { body: { api_key: apiKey }, signal })),
        refresh: (token, signal) =>
          unwrap(raw().POST("/api/auth/refresh", { body: {}, headers: bearer(token), signal })),
      },
      store,
      storeKey,
      windowMs,
      now: () => clock.now(),
      emitter,
      rejected,
      storeTimeoutMs: options.timeout ?? 60_000,
      setTimer: (fn, ms) => clock.setTimer(fn, ms),
    });
  } else if (credentials) {
    const limit = options.timeout ?? 60_000;
    obtain = async (_current, signal) => {
      // The provider gets the same per-attempt timeout as a request, so a hung provider cannot
      // stall every caller waiting on the shared renewal.
      const attempt = linkedController(signal);
      const cancel = clock.setTimer(
        () =>
          attempt.controller.abort(
            new APIConnectionTimeoutError("Credentials provider timed out."),
          ),
        limit,
      );
      const provided = credentials({ signal: attempt.controller.signal });
      const { accessToken: token, expiresIn } = await raceAbort(
        provided,
        attempt.controller.signal,
      ).finally(() => {
        cancel();
        attempt.release();
      });
      const lifetimeMs = expiresIn === undefined ? Infinity : expiresIn * 1000;
      return { token: { accessToken: token, lifetimeMs }, reason: "provider" };
    };
  } else if (accessToken) {
    return {
      getToken: async () => accessToken,
      freshToken: () => accessToken,
      invalidate() {},
      renewable: false,
    };
  } else {
    return undefined;
  }
  return new TokenManager({
    obtain,
    clock,
    emitter,
    refreshWindowMs: windowMs,
    onInvalidate(token) {
      if (rejected.size > 32) rejected.clear();
      rejected.add(token);
      if (!apiKey) return;
      // Compare-and-delete: another process may already have stored a newer token.
      store
        .get(storeKey)
        .then((t) => (t?.accessToken === token ? store.delete(storeKey) : undefined))
        .catch(() => {});
    },
  });
}
