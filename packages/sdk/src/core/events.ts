import type { APIError } from "./error.js";

/** Emitted after the SDK obtained a new access token. Carries no secret. */
export interface TokenRefreshedEvent {
  /** How the token was obtained. */
  reason: "exchange" | "refresh" | "provider" | "store";
  /** Session the token belongs to, when known. */
  sessionId: string | undefined;
  /** Lifetime in seconds as reported by the server at receipt. */
  expiresIn: number | undefined;
}

/** Emitted when the SDK could not obtain or keep valid credentials (token store failures included). */
export interface AuthErrorEvent {
  /** What failed, e.g. a 401 `invalid_credentials` from the token exchange. */
  error: APIError | Error;
}

/** Event names and their payloads. */
export interface FluxraEvents {
  tokenRefreshed: TokenRefreshedEvent;
  authError: AuthErrorEvent;
}

type Listener<E extends keyof FluxraEvents> = (event: FluxraEvents[E]) => unknown;

/**
 * A tiny event emitter whose listeners run later, in a microtask, each isolated from the others.
 * The SDK never awaits a listener, so a listener that calls back into the client (even one that
 * waits for a token) cannot deadlock a refresh in progress.
 */
export class Emitter {
  readonly #listeners = new Map<keyof FluxraEvents, Set<(event: never) => unknown>>();

  /** Subscribes; returns the function that unsubscribes. */
  on<E extends keyof FluxraEvents>(event: E, listener: Listener<E>): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Queues delivery to the current listeners; returns immediately. */
  emit<E extends keyof FluxraEvents>(event: E, payload: FluxraEvents[E]): void {
    for (const listener of (this.#listeners.get(event) ?? []) as Set<Listener<E>>) {
      queueMicrotask(() => {
        try {
          const result = listener(payload);
          // A rejected promise from an async listener must not become an unhandled rejection.
          if (result instanceof Promise) result.catch(() => {});
        } catch {
          // A throwing listener must not break the client or the other listeners.
        }
      });
    }
  }
}
