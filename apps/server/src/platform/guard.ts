import type { Context, MiddlewareHandler } from "hono";
import { type AuthDeps, type AuthMode, createAuthenticator } from "./auth/middleware.js";
import { createBodyReader, readsBody } from "./body.js";
import type { RateBucket } from "./config.js";
import type { AppEnv } from "./env.js";
import { ApiError } from "./errors.js";
import { type IdempotencyDeps, type IdempotencyOptions, idempotency } from "./idempotency.js";
import { createRateLimiter, type RateLimitDeps, type RateLimiter } from "./rate-limit.js";
import { checkStorableText } from "./text.js";

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
 *
 * Each guard is one fused middleware (issue 18): the steps are plain functions run in one pass,
 * awaiting only what is asynchronous (the session lookup, the rate counter, the body read), not
 * one Hono middleware hop each. Idempotency, which wraps the handler, stays the last step.
 */
export function createGuard(deps: GuardDeps): Guard {
  const limiter = createRateLimiter(deps);
  const read = createBodyReader(deps.config.bodyLimitBytes);
  const idem = idempotency(deps);
  const authenticators = new Map<AuthMode, (c: Context<AppEnv>) => Promise<void>>();
  const authenticated = (mode: AuthMode) => {
    let existing = authenticators.get(mode);
    if (!existing) {
      const identify = createAuthenticator(deps, mode);
      existing = async (c: Context<AppEnv>) => {
        try {
          await identify(c);
        } catch (err) {
          if (err instanceof ApiError) await limiter(c, "public", `addr:${c.get("clientAddress")}`);
          throw err;
        }
      };
      authenticators.set(mode, existing);
    }
    return existing;
  };
  const fused = (
    identify: ((c: Context<AppEnv>) => Promise<void>) | undefined,
    bucket: RateBucket,
    replay: IdempotencyOptions | undefined,
  ): MiddlewareHandler<AppEnv>[] => {
    const keyed = replay ? idempotency(deps, replay) : idem;
    const guard: MiddlewareHandler<AppEnv> = async (c, next) => {
      let caller: string;
      if (identify) {
        await identify(c);
        caller = (c.get("caller") as AppEnv["Variables"]["caller"]).agentId;
      } else {
        caller = `addr:${c.get("clientAddress")}`;
      }
      await limiter(c, bucket, caller);
      const reading = read(c);
      if (reading !== undefined) await reading;
      checkStorableText(c);
      return keyed(c, next);
    };
    return [Object.assign(guard, { [readsBody]: true })];
  };
  return {
    anonymous: (bucket, replay) => fused(undefined, bucket, replay),
    agent: (mode, bucket, replay) => fused(authenticated(mode), bucket, replay),
    limiter,
  };
}
