import type { MiddlewareHandler } from "hono";
import { type AuthDeps, type AuthMode, authenticate } from "./auth/middleware.js";
import { readBody } from "./body.js";
import type { RateBucket } from "./config.js";
import type { AppEnv } from "./env.js";
import { ApiError } from "./errors.js";
import { type IdempotencyDeps, type IdempotencyOptions, idempotency } from "./idempotency.js";
import {
  createRateLimiter,
  type RateLimitDeps,
  type RateLimiter,
  rateLimit,
} from "./rate-limit.js";
import { rejectUnstorableText } from "./text.js";

/** Ready-made middleware stacks for routes: who may call, which rate bucket, idempotent POSTs. */
export interface Guard {
  /** No credential: rate-limited per client address; POSTs honour `Idempotency-Key` per address. */
  anonymous(bucket: RateBucket, replay?: IdempotencyOptions): MiddlewareHandler<AppEnv>[];
  /**
   * A credential of `mode`: rate-limited per agent; POSTs honour `Idempotency-Key` per agent.
   * Refused credentials count against the client address (and carry `RateLimit-*` headers).
   */
  agent(
    mode: AuthMode,
    bucket: RateBucket,
    replay?: IdempotencyOptions,
  ): MiddlewareHandler<AppEnv>[];
  /** Counts extra hits by hand (e.g. the token exchange also limits per api key). */
  limiter: RateLimiter;
}

/** What {@link createGuard} needs: what its authentication, rate limit and idempotency need. */
export type GuardDeps = AuthDeps &
  RateLimitDeps &
  IdempotencyDeps & { store: AuthDeps["store"] & RateLimitDeps["store"] };

/**
 * Creates the guards of one app. Order matters: who is calling (so limits and idempotency are
 * per caller), then the rate limit, then the body (size-limited; after the limit so floods are
 * cheap to refuse), then text no database can store (NUL, lone surrogates → 422), then
 * idempotency (which hashes the body). Validation runs after all of them.
 */
export function createGuard(deps: GuardDeps): Guard {
  const limiter = createRateLimiter(deps);
  const body = readBody(deps.config.bodyLimitBytes);
  const idem = idempotency(deps);
  const text = rejectUnstorableText();
  const authenticators = new Map<AuthMode, MiddlewareHandler<AppEnv>>();
  const authenticated = (mode: AuthMode): MiddlewareHandler<AppEnv> => {
    let existing = authenticators.get(mode);
    if (!existing) {
      const inner = authenticate(deps, mode);
      existing = async (c, next) => {
        try {
          await inner(c, async () => undefined);
        } catch (err) {
          if (err instanceof ApiError) await limiter(c, "public", `addr:${c.get("clientAddress")}`);
          throw err;
        }
        await next();
      };
      authenticators.set(mode, existing);
    }
    return existing;
  };
  return {
    anonymous: (bucket, replay) => [
      rateLimit(limiter, bucket),
      body,
      text,
      replay ? idempotency(deps, replay) : idem,
    ],
    agent: (mode, bucket, replay) => [
      authenticated(mode),
      rateLimit(limiter, bucket),
      body,
      text,
      replay ? idempotency(deps, replay) : idem,
    ],
    limiter,
  };
}
