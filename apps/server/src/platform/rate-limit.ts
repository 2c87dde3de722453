import type { Context, MiddlewareHandler } from "hono";
import { sessionRefusal } from "./auth/middleware.js";
import type { RateBucket } from "./config.js";
import type { AppDeps, AppEnv, DeferredSession } from "./env.js";
import { ApiError } from "./errors.js";

const sweepEvery = 1000;

/** What {@link createRateLimiter} needs: the rules, the time, the shared counters. */
export interface RateLimitDeps {
  config: AppDeps["config"];
  clock: AppDeps["clock"];
  store: Pick<AppDeps["store"], "platform">;
}

/**
 * The limit whose `RateLimit-*` headers a request's response carries so far, kept on the
 * request's context under this key: a WeakMap entry per request cost the GC an ephemeron each.
 */
const shownLimit = Symbol("shown rate limit");
type Shown = { remaining: number; resetSeconds: number };

/**
 * Counts one request against `bucket` for `subject` (fixed windows stored in the database, so
 * every instance shares the count), sets the `RateLimit-*` headers, and throws 429
 * `rate_limited` with `Retry-After` once the limit is spent.
 */
export function createRateLimiter(deps: RateLimitDeps) {
  const { config, clock, store } = deps;
  let hits = 0;
  /**
   * Counts one hit; with `owed` (a session check the guard deferred, `subject` its agent) the
   * backend reads the session in the same statement and a dead one throws the guard's 401,
   * counting nothing against the agent.
   */
  const hit = async (key: string, subject: string, windowStart: number, owed?: DeferredSession) => {
    const folded = store.platform.hitRateLimitForSession;
    if (owed === undefined || owed.checked || folded === undefined) {
      return store.platform.hitRateLimit(key, windowStart);
    }
    const out = await folded.call(store.platform, key, windowStart, {
      idHash: owed.idHash,
      agentId: subject,
      now: owed.now,
    });
    owed.checked = true;
    const refused = sessionRefusal(out.session, subject, owed.now);
    if (refused) throw refused;
    if (out.count === null) throw new Error("rate limit not counted for a live session");
    return out.count;
  };
  return async function consume(
    c: Context<AppEnv>,
    bucket: RateBucket,
    subject: string,
    owed?: DeferredSession,
  ) {
    const rule = config.rateLimits.rules[bucket];
    const windowMs = rule.windowSeconds * 1000;
    const now = clock.now();
    const windowStart = now - (now % windowMs);
    // Switched off (tests, benchmarks): nothing is counted, but the headers still describe the rule.
    const count = config.rateLimits.enabled
      ? await hit(`${bucket}:${subject}`, subject, windowStart, owed)
      : 0;
    if (config.rateLimits.enabled && ++hits % sweepEvery === 0) {
      const dayMs = 24 * 3600 * 1000;
      await store.platform.sweep(now - dayMs, now - config.idempotencyTtlSeconds * 1000);
    }
    const resetSeconds = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
    const remaining = Math.max(0, rule.limit - count);
    // One request may count against several limits (the token exchange: per address and per
    // api key): the headers describe the one closest to exhaustion, whichever was counted last.
    const holder = c as unknown as { [shownLimit]?: Shown };
    const shown = holder[shownLimit];
    if (
      shown === undefined ||
      remaining < shown.remaining ||
      (remaining === shown.remaining && resetSeconds > shown.resetSeconds)
    ) {
      holder[shownLimit] = { remaining, resetSeconds };
      c.header("RateLimit-Limit", String(rule.limit));
      c.header("RateLimit-Remaining", String(remaining));
      c.header("RateLimit-Reset", String(resetSeconds));
    }
    if (count > rule.limit) {
      throw new ApiError("rate_limited", "Too many requests; retry later.", {
        retryAfterMs: windowStart + windowMs - now,
        headers: {
          "RateLimit-Limit": String(rule.limit),
          "RateLimit-Remaining": String(remaining),
          "RateLimit-Reset": String(resetSeconds),
          "Retry-After": String(resetSeconds),
        },
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
