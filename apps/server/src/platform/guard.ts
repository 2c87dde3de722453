import type { MiddlewareHandler } from "hono";
import { type AuthMode, authenticate } from "./auth/middleware.js";
import type { RateBucket } from "./config.js";
import type { AppDeps, AppEnv } from "./env.js";
import { idempotency } from "./idempotency.js";
import { createRateLimiter, type RateLimiter, rateLimit } from "./rate-limit.js";

/** Ready-made middleware stacks for routes: who may call, which rate bucket, idempotent POSTs. */
export interface Guard {
  /** No credential: rate-limited per client address; POSTs honour `Idempotency-Key` per address. */
  anonymous(bucket: RateBucket): MiddlewareHandler<AppEnv>[];
  /** A credential of `mode`: rate-limited per agent; POSTs honour `Idempotency-Key` per agent. */
  agent(mode: AuthMode, bucket: RateBucket): MiddlewareHandler<AppEnv>[];
  /** Counts extra hits by hand (e.g. the token exchange also limits per api key). */
  limiter: RateLimiter;
}

/** Creates the guards of one app. */
export function createGuard(deps: AppDeps): Guard {
  const limiter = createRateLimiter(deps);
  const idem = idempotency(deps);
  return {
    anonymous: (bucket) => [rateLimit(limiter, bucket), idem],
    agent: (mode, bucket) => [authenticate(deps, mode), rateLimit(limiter, bucket), idem],
    limiter,
  };
}
