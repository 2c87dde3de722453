import type { Context, MiddlewareHandler } from "hono";
import { sha256Hex } from "./auth/secrets.js";
import type { AppDeps, AppEnv, Caller } from "./env.js";
import { ApiError, validationError } from "./errors.js";
import { seal, unseal } from "./sealed.js";
import type { IdempotencyScope } from "./store.js";

const keyShape = /^[\x20-\x7e]{1,255}$/;
/** A claim older than this is presumed to belong to a request that died mid-way. */
const staleAfterMs = 60_000;
/**
 * Only successes are stored and replayed (spec, `Idempotency-Key`): a failed request may be
 * retried with the same key, and an error body never replays another request's `request_id`.
 */
const replayable = (status: number) => status >= 200 && status < 300;
const keptHeaders = ["content-type", "cache-control", "location"];

/** How a route's responses may be replayed; the default replays to any request of the same caller. */
export interface IdempotencyOptions {
  /**
   * The response carries a credential (access token, api key, recovery key): it replays only to
   * the same credential (session or recovery key) that made it, never to another session of the
   * same agent, so a replay cannot hand one session's secret to another.
   */
  bindToCredential?: boolean;
  /** Runs before a stored response is replayed (its JSON text); throws to refuse the replay. */
  beforeReplay?: (c: Context<AppEnv>, body: string) => Promise<void>;
  /**
   * The response is never stored (it holds a secret meant to be shown once to its first caller):
   * a retry after a success gets this error instead. Claims and in-progress answers still apply.
   */
  refuseReplay?: () => ApiError;
}

/**
 * The scope caller of a credential-bound route: the agent and a hash of the session id or
 * recovery-key hash (both are credentials themselves, so neither is stored as is).
 */
export function credentialScope(caller: Caller): string {
  const credential = caller.sessionId ?? caller.recoveryKeyHash ?? "";
  return `${caller.agentId}:${sha256Hex(`${caller.kind}:${credential}`).slice(0, 32)}`;
}

/** The caller part of a scope: the agent, its credential when bound, else the client address. */
function callerScope(c: Context<AppEnv>, bindToCredential: boolean): string {
  const caller = c.get("caller") as Caller | undefined;
  if (!caller) return `addr:${c.get("clientAddress")}`;
  return bindToCredential ? credentialScope(caller) : caller.agentId;
}

/** What {@link idempotency} needs: stored responses, the time, the TTL, the scope key. */
export interface IdempotencyDeps {
  store: Pick<AppDeps["store"], "platform">;
  clock: AppDeps["clock"];
  config: AppDeps["config"];
  keys: AppDeps["keys"];
}

/**
 * `Idempotency-Key` for POST: the first request with a key runs and its response is stored
 * (scoped to caller, method and path, kept `idempotencyTtlSeconds`); a retry with the same body
 * gets the stored response with `Idempotent-Replayed: true`; a different body → 422
 * `idempotency_key_reused`; a retry while the first still runs → 409 `idempotency_in_progress`.
 * Place it after `authenticate` so the caller is known. Other methods pass through.
 */
export function idempotency(
  deps: IdempotencyDeps,
  options: IdempotencyOptions = {},
): MiddlewareHandler<AppEnv> {
  const { store, clock, config, keys } = deps;
  const { bindToCredential = false, beforeReplay, refuseReplay } = options;
  return async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (c.req.method !== "POST" || key === undefined) return next();
    if (!keyShape.test(key)) {
      throw validationError("header.Idempotency-Key", "Must be 1–255 printable ASCII characters.");
    }
    const scope: IdempotencyScope = {
      caller: callerScope(c, bindToCredential),
      method: c.req.method,
      path: c.req.path,
      key,
    };
    const requestHash = sha256Hex(c.get("rawBody"));
    const now = clock.now();
    const claim = await store.platform.claimIdempotencyKey(
      scope,
      requestHash,
      now,
      now - config.idempotencyTtlSeconds * 1000,
      now - staleAfterMs,
    );
    if (!claim.claimed) {
      const { record } = claim;
      if (record.requestHash !== requestHash) {
        throw new ApiError(
          "idempotency_key_reused",
          "This Idempotency-Key was used with a different request body.",
        );
      }
      if (record.status === null || record.body === null) {
        throw new ApiError(
          "idempotency_in_progress",
          "A request with this Idempotency-Key is still being processed.",
        );
      }
      if (refuseReplay) throw refuseReplay();
      const body = unseal(keys.current().replayKey, record.body);
      if (beforeReplay) await beforeReplay(c, body);
      // Through the context, so this request's own headers (request id, RateLimit-*) are kept.
      for (const [name, value] of Object.entries(record.headers)) c.header(name, value);
      c.header("Idempotent-Replayed", "true");
      return c.body(body, record.status as 200);
    }
    // Keep the JSON the handler answers with: reading it back from the finished response
    // (`res.clone().text()`) turns node-server's lightweight response into a web-streams one,
    // which cost more than the whole rest of a keyed POST in the bench profile.
    // Called on `c`: the fast lane's context (platform/fast-lane.ts) has `json` as a method.
    let answered: string | undefined;
    const json = c.json as (...args: unknown[]) => Response;
    c.json = ((object: unknown, ...rest: unknown[]) => {
      answered = JSON.stringify(object);
      return json.call(c, object, ...rest);
    }) as typeof c.json;
    try {
      await next();
    } catch (err) {
      await store.platform.releaseIdempotencyKey(scope);
      throw err;
    }
    const res = c.res;
    if (!replayable(res.status)) {
      await store.platform.releaseIdempotencyKey(scope);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of keptHeaders) {
      const value = res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    // Sealed: a replayable response may carry a secret shown once (recovery key, api key, token).
    // A response that must not replay keeps only the fact that the key was used.
    const text = refuseReplay ? "" : (answered ?? (await responseText(res)));
    await store.platform.completeIdempotencyKey(
      scope,
      res.status,
      seal(keys.current().replayKey, text),
      headers,
    );
  };
}

/**
 * The text of a response the handler built without `c.json`: a web `Response` on Hono, or the
 * fast lane's response, which holds its body as a string.
 */
function responseText(res: Response): Promise<string> | string {
  if (typeof res.clone === "function") return res.clone().text();
  return (res as unknown as { body: string | null }).body ?? "";
}
