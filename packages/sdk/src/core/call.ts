import { claimData } from "./direct.js";
import { APIError } from "./error.js";
import type { CallOptions } from "./transport.js";

/** Options every helper method accepts. */
export interface RequestOptions extends CallOptions {
  /** Cancels the call, including any credential refresh it is waiting for. */
  signal?: AbortSignal | undefined;
  /** Extra headers for this call. */
  headers?: Record<string, string> | undefined;
  /** Your own `Idempotency-Key` for a POST (default: a fresh UUID per call, kept across retries). */
  idempotencyKey?: string | undefined;
}

/** What {@link toInit} adds to a helper's init. */
type HelperInit = {
  headers?: Record<string, string>;
  fluxra?: CallOptions;
  signal?: AbortSignal;
};

/**
 * The common call's part: nothing. Spread into the helper's init, so shared (and frozen): an
 * absent `headers`/`fluxra` means the same as an empty one to openapi-fetch and the transport.
 */
const NO_OPTIONS: HelperInit = Object.freeze({});

/** The openapi-fetch init for `options`, plus `headers` the helper itself needs. */
export function toInit(options?: RequestOptions, headers?: Record<string, string>): HelperInit {
  // The common call: no options, no extra headers. No objects of its own (three allocations and
  // a copy of each per call before, issue 18 round 7).
  if (options === undefined && headers === undefined) return NO_OPTIONS;
  const { signal, idempotencyKey, headers: own, ...fluxra } = options ?? {};
  const all: Record<string, string> = { ...own, ...headers };
  if (idempotencyKey) all["Idempotency-Key"] = idempotencyKey;
  return { headers: all, fluxra, ...(signal ? { signal } : {}) };
}

/** `Authorization` for the routes that take a recovery key instead of the access token. */
export const bearer = (secret: string): Record<string, string> => ({
  Authorization: `Bearer ${secret}`,
});

/**
 * Turns an openapi-fetch result into its data, or throws the typed error for the status. A direct
 * call (see direct.ts) is told to resolve with its data itself: one promise less per call.
 * @throws {APIError} the subclass for the response status.
 */
export function unwrap<T>(
  result: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  if (claimData(result)) return result as unknown as Promise<T>;
  return result.then(({ data, error, response }) => {
    if (!response.ok) throw APIError.generate(response.status, error, undefined, response.headers);
    return data as T;
  });
}
