/** Retry settings shared by the client and each call. */
export interface RetryOptions {
  /** Retries after the first attempt for retryable failures (default 2). */
  maxRetries?: number | undefined;
  /**
   * Longest server-requested wait (`Retry-After`, `error.retry_after_ms`) the SDK will sleep
   * through, in ms (default 60 000). A longer request is not slept on: the call fails at once with a
   * `RateLimitError` whose `retryAfterMs` says how long to wait.
   */
  maxRetryAfterMs?: number | undefined;
}

const RETRYABLE_STATUS = new Set([408, 429, 502, 503, 504]);

/**
 * Whether a response is worth retrying: 408, 429, 502/503/504, and the 409 that means "the first
 * try with this Idempotency-Key is still running" (transient by definition). Other 5xx are not
 * retried: a 500 is a bug that a retry would only repeat.
 */
export function isRetryableResponse(status: number, code: string | undefined): boolean {
  return RETRYABLE_STATUS.has(status) || (status === 409 && code === "idempotency_in_progress");
}

/**
 * Backoff before retry number `retry` (0-based): 0.5 s·2ⁿ capped at 8 s, minus up to 25 % jitter
 * so a crowd of clients does not retry in lockstep.
 */
export function backoffMs(retry: number, random: number): number {
  return Math.min(500 * 2 ** retry, 8000) * (1 - random * 0.25);
}
