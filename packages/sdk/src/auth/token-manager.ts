import type { Clock } from "../core/clock.js";
import type { Emitter, TokenRefreshedEvent } from "../core/events.js";
import { raceAbort } from "../core/signals.js";
import type { AuthProvider } from "../core/transport.js";

/** A freshly obtained access token and what is known about its lifetime. */
export interface ObtainedToken {
  accessToken: string;
  /** Remaining lifetime in ms at the moment the request for it was sent; `Infinity` if unknown. */
  lifetimeMs: number;
  sessionId?: string | undefined;
  /** The server's absolute expiry, kept for token stores. */
  expiresAt?: string | undefined;
}

/** The token currently held, with its deadlines on the monotonic clock. */
export interface CachedToken extends ObtainedToken {
  /** From here on, callers wait for a refresh (the early window). */
  staleAt: number;
  /** From here on, the token is certainly expired. */
  expiredAt: number;
}

/** How a manager gets a token: `current` is the held one (possibly stale), if any. */
export type ObtainToken = (
  current: CachedToken | undefined,
  signal: AbortSignal,
) => Promise<{ token: ObtainedToken; reason: TokenRefreshedEvent["reason"] } | undefined>;

interface Flight {
  promise: Promise<string>;
  controller: AbortController;
  waiters: number;
  settled: boolean;
}

/**
 * Holds the access token and renews it. Lifetimes come from `expires_in` measured on the monotonic
 * clock from when the request was sent, never from the local wall clock against `exp`. Concurrent
 * callers share one in-flight renewal; a generation counter keeps a renewal that started before an
 * invalidation from overwriting newer state. No timers: renewal happens when a caller needs a token.
 */
export class TokenManager implements AuthProvider {
  readonly renewable = true;
  #state: CachedToken | undefined;
  #generation = 0;
  #flight: Flight | undefined;
  readonly #obtain: ObtainToken;
  readonly #clock: Clock;
  readonly #emitter: Emitter;
  readonly #windowMs: number;
  readonly #onInvalidate: (token: string) => void;

  constructor(options: {
    obtain: ObtainToken;
    clock: Clock;
    emitter: Emitter;
    /** How long before expiry to renew (capped at half the lifetime). */
    refreshWindowMs: number;
    onInvalidate?: (token: string) => void;
  }) {
    this.#obtain = options.obtain;
    this.#clock = options.clock;
    this.#emitter = options.emitter;
    this.#windowMs = options.refreshWindowMs;
    this.#onInvalidate = options.onInvalidate ?? (() => {});
  }

  /** The token held now, if any (for inspection; may be stale). */
  get current(): CachedToken | undefined {
    return this.#state;
  }

  /** The held token if it is outside its early-refresh window (no renewal needed), else undefined. */
  freshToken(): string | undefined {
    const state = this.#state;
    return state && this.#clock.now() < state.staleAt ? state.accessToken : undefined;
  }

  /** Returns a token outside its early-refresh window, renewing first (once for all callers). */
  getToken(signal: AbortSignal): Promise<string> {
    const state = this.#state;
    if (state && this.#clock.now() < state.staleAt) return Promise.resolve(state.accessToken);
    const flight = this.#flight ?? this.#start();
    flight.waiters++;
    return raceAbort(flight.promise, signal).finally(() => {
      // The last waiter giving up cancels the shared renewal: the AbortSignal reaches it.
      if (--flight.waiters === 0 && signal.aborted && !flight.settled) {
        flight.controller.abort(signal.reason);
        if (this.#flight === flight) this.#flight = undefined;
      }
    });
  }

  /** Drops `token` if it is still the one held (the server rejected it). */
  invalidate(token: string): void {
    if (this.#state?.accessToken !== token) return;
    this.#state = undefined;
    this.#flight = undefined;
    this.#generation++;
    this.#onInvalidate(token);
  }

  #start(): Flight {
    const generation = this.#generation;
    const controller = new AbortController();
    const flight: Flight = { controller, waiters: 0, settled: false, promise: Promise.resolve("") };
    const startedAt = this.#clock.now();
    flight.promise = this.#obtain(this.#state, controller.signal).then(
      (result) => {
        flight.settled = true;
        if (this.#flight === flight) this.#flight = undefined;
        const current = this.#state;
        if (!result) {
          // The source kept the current token (a failed early refresh while it is still valid).
          if (current) return current.accessToken;
          throw new Error("No access token available.");
        }
        const { token, reason } = result;
        const life = token.lifetimeMs;
        const cached: CachedToken = {
          ...token,
          staleAt: startedAt + life - Math.min(this.#windowMs, life / 2),
          expiredAt: startedAt + life,
        };
        if (generation === this.#generation) this.#state = cached;
        this.#emitter.emit("tokenRefreshed", {
          reason,
          sessionId: token.sessionId,
          expiresIn: Number.isFinite(life) ? Math.round(life / 1000) : undefined,
        });
        return token.accessToken;
      },
      (error: unknown) => {
        flight.settled = true;
        if (this.#flight === flight) this.#flight = undefined;
        if (!controller.signal.aborted) {
          this.#emitter.emit("authError", { error: error as Error });
        }
        throw error;
      },
    );
    this.#flight = flight;
    return flight;
  }
}
