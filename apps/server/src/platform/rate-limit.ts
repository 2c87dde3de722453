import type { Context, MiddlewareHandler } from "hono";
import type { RateBucket } from "./config.js";
import type { AppDeps, AppEnv } from "./env.js";
import { ApiError } from "./errors.js";

const sweepEvery = 1000;

/** What {@link createRateLimiter} needs: the rules, the time, the shared counters. */
export interface RateLimitDeps {
  config: AppDeps["config"];
  clock: AppDeps["clock"];
  store: Pick<AppDeps["store"], "platform">;
}

/** The limit whose `RateLimit-*` headers a request's response carries so far. */
const shownLimits = new WeakMap<Context, { remaining: number; resetSeconds: number }>();

/**
 * Counts one request against `bucket` for `subject` (fixed windows stored in the database, so
 * every instance shares the count), sets the `RateLimit-*` headers, and throws 429
 * `rate_limited` with `Retry-After` once the limit is spent.
 */
export function createRateLimiter(deps: RateLimitDeps) {
  const { config, clock, store } = deps;
  let hits = 0;
  return async function consume(c: Context<AppEnv>, bucket: RateBucket, subject: string) {
    const rule = config.rateLimits.rules[bucket];
    const windowMs = rule.windowSeconds * 1000;
    const now = clock.now();
    const windowStart = now - (now % windowMs);
    // Switched off (tests, benchmarks): nothing is counted, but the headers still describe the rule.
    const count = config.rateLimits.enabled
      ? await store.platform.hitRateLimit(`${bucket}:${subject}`, windowStart)
      : 0;
    if (config.rateLimits.enabled && ++hits % sweepEvery === 0) {
      const dayMs = 24 * 3600 * 1000;
      await store.platform.sweep(now - dayMs, now - config.idempotencyTtlSeconds * 1000);
    }
    const resetSeconds = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
    const remaining = Math.max(0, rule.limit - count);
    const headers = {
      "RateLimit-Limit": String(rule.limit),
      "RateLimit-Remaining": String(remaining),
      "RateLimit-Reset": String(resetSeconds),
    };
    // One request may count against several limits (the token exchange: per address and per
    // api key): the headers describe the one closest to exhaustion, whichever was counted last.
    const shown = shownLimits.get(c);
    if (
      shown === undefined ||
      remaining < shown.remaining ||
      (remaining === shown.remaining && resetSeconds > shown.resetSeconds)
    ) {
      shownLimits.set(c, { remaining, resetSeconds });
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
    }
    if (count > rule.limit) {
      throw new ApiError("rate_limited", "Too many requests; retry later.", {
        retryAfterMs: windowStart + windowMs - now,
        headers: { ...headers, "Retry-After": String(resetSeconds) },
      });
    }
  };
}

/** The rate-limit function returned by {@link createRateLimiter}. */
export type RateLimiter = ReturnType<typeof createRateLimiter>;

/**
 * Route middleware: counts the request in `bucket`, per agent once authenticated, else per
 * client address.
 */
export function rateLimit(limiter: RateLimiter, bucket: RateBucket): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const caller = c.get("caller") as AppEnv["Variables"]["caller"] | undefined;
    await limiter(c, bucket, caller ? caller.agentId : `addr:${c.get("clientAddress")}`);
    await next();
  };
}
