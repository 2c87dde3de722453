import type { Context, MiddlewareHandler } from "hono";
import {
  type AuthDeps,
  type AuthMode,
  createAuthenticator,
  settleDeferredSession,
} from "./auth/middleware.js";
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
    options?: AgentGuardOptions,
  ): MiddlewareHandler<AppEnv>[];
  /** Counts extra hits by hand (e.g. the token exchange also limits per api key). */
  limiter: RateLimiter;
}

/** Options of {@link Guard.agent}. */
export interface AgentGuardOptions {
  /**
   * The session check joins a statement the request makes anyway (`Caller.session`), where the
   * backend can (`AuthStore.foldsSessionCheck`): with rate limits on, the counter's upsert (which
   * counts nothing against the agent for a dead session: the address is charged, as before);
   * with them off, the handler's store operation, unless the request has an `Idempotency-Key`
   * (whose claim is written per agent before the handler). Whatever path the request takes, the
   * session is checked before its response leaves.
   */
  foldSession?: boolean;
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
  type Identify = (c: Context<AppEnv>, deferSession?: boolean) => Promise<void>;
  const authenticators = new Map<AuthMode, Identify>();
  /** A refused credential counts against the client address. */
  const refused = async (c: Context<AppEnv>, err: unknown) => {
    if (err instanceof ApiError) await limiter(c, "public", `addr:${c.get("clientAddress")}`);
    return err;
  };
  const authenticated = (mode: AuthMode) => {
    let existing = authenticators.get(mode);
    if (!existing) {
      const identify = createAuthenticator(deps, mode);
      existing = async (c: Context<AppEnv>, deferSession?: boolean) => {
        try {
          await identify(c, deferSession);
        } catch (err) {
          throw await refused(c, err);
        }
      };
      authenticators.set(mode, existing);
    }
    return existing;
  };
  // Deferring is decided per app, and per request when only the store can make the check.
  const canFold = deps.store.auth.foldsSessionCheck === true;
  const rateLimited = deps.config.rateLimits.enabled;
  /** The session check a deferred request still owes (no store made it): made before answering. */
  const settle = async (c: Context<AppEnv>) => {
    try {
      await settleDeferredSession(deps, c.get("caller") as AppEnv["Variables"]["caller"]);
    } catch (err) {
      throw await refused(c, err);
    }
  };
  const fused = (
    identify: Identify | undefined,
    bucket: RateBucket,
    replay: IdempotencyOptions | undefined,
    fold: boolean,
  ): MiddlewareHandler<AppEnv>[] => {
    const keyed = replay ? idempotency(deps, replay) : idem;
    const guard: MiddlewareHandler<AppEnv> = async (c, next) => {
      let caller: string;
      const deferred = fold && (rateLimited || c.req.header("idempotency-key") === undefined);
      if (identify) {
        await identify(c, deferred);
        caller = (c.get("caller") as AppEnv["Variables"]["caller"]).agentId;
      } else {
        caller = `addr:${c.get("clientAddress")}`;
      }
      if (!deferred) {
        await limiter(c, bucket, caller);
        const reading = read(c);
        if (reading !== undefined) await reading;
        checkStorableText(c);
        return keyed(c, next);
      }
      let answered: Awaited<ReturnType<MiddlewareHandler<AppEnv>>>;
      try {
        // Rate limits on: the counter's statement checks the session (rate-limit.ts).
        await limiter(
          c,
          bucket,
          caller,
          (c.get("caller") as AppEnv["Variables"]["caller"]).session,
        );
        const reading = read(c);
        if (reading !== undefined) await reading;
        checkStorableText(c);
        answered = await keyed(c, next);
      } catch (err) {
        // A refused session gets its 401 (the store's, or settle's), not whatever else failed.
        if (err instanceof ApiError && err.status === 401) throw await refused(c, err);
        await settle(c);
        throw err;
      }
      await settle(c);
      return answered;
    };
    return [Object.assign(guard, { [readsBody]: true })];
  };
  return {
    anonymous: (bucket, replay) => fused(undefined, bucket, replay, false),
    agent: (mode, bucket, replay, options) =>
      fused(
        authenticated(mode),
        bucket,
        replay,
        mode === "access" && canFold && options?.foldSession === true,
      ),
    limiter,
  };
}
