/** Identifies one idempotency key: unique per caller, method and path. */
export interface IdempotencyScope {
  /** `agt_…` for authenticated callers, `addr:<ip>` for anonymous ones. */
  caller: string;
  method: string;
  path: string;
  key: string;
}

/** A stored response (or a request still running) for an idempotency key. */
export interface IdempotencyRecord {
  requestHash: string;
  /** null while the first request is still running. */
  status: number | null;
  body: string | null;
  headers: Record<string, string>;
  createdAt: number;
  lockedAt: number;
}

/** Outcome of trying to claim an idempotency key. */
export type IdempotencyClaim = { claimed: true } | { claimed: false; record: IdempotencyRecord };

/**
 * Storage every domain shares: liveness, server secrets, rate-limit counters, idempotency keys.
 * Async so a PostgreSQL implementation fits behind it unchanged.
 */
export interface PlatformStore {
  /** Resolves when the database answers; rejects when it cannot be reached. */
  ping(): Promise<void>;
  /** Returns the secret stored under `name`, storing `candidate` first if there is none (first start wins). */
  getOrCreateSecret(name: string, candidate: string, now: number): Promise<string>;
  /** Counts one hit in `bucket` for the fixed window starting at `windowStart`; returns the count so far. */
  hitRateLimit(bucket: string, windowStart: number): Promise<number>;
  /**
   * {@link hitRateLimit} for a caller whose session check the guard deferred (backends whose
   * auth store `foldsSessionCheck`): reads the session in the same statement and counts the hit
   * only if the session is live for `session.agentId` at `session.now` (the guard's rule,
   * `sessionRefusal`). Returns the count (null when nothing was counted) and the session's row.
   */
  hitRateLimitForSession?(
    bucket: string,
    windowStart: number,
    session: { idHash: string; agentId: string; now: number },
  ): Promise<{
    count: number | null;
    session: { agentId: string; expiresAt: number; revokedAt: number | null } | null;
  }>;
  /**
   * Claims an idempotency key. Keys older than `expiresBefore` are treated as absent and
   * in-progress claims locked before `staleBefore` are taken over (the first request crashed).
   */
  claimIdempotencyKey(
    scope: IdempotencyScope,
    requestHash: string,
    now: number,
    expiresBefore: number,
    staleBefore: number,
  ): Promise<IdempotencyClaim>;
  /** Stores the response of a claimed key. */
  completeIdempotencyKey(
    scope: IdempotencyScope,
    status: number,
    body: string,
    headers: Record<string, string>,
  ): Promise<void>;
  /** Forgets a claimed key (the request failed in a way a retry should redo). */
  releaseIdempotencyKey(scope: IdempotencyScope): Promise<void>;
  /** Deletes rate-limit windows and idempotency keys that can no longer matter. */
  sweep(rateWindowsBefore: number, idempotencyBefore: number): Promise<void>;
}

/**
 * The domains' stores, by domain name. Empty here so platform code names no domain: src/store.ts
 * fills it from the domain store registry (domains/stores.ts) by declaration merging.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging (src/store.ts).
export interface DomainStoreMap {}

/**
 * Everything the app stores: the platform's own store and every domain's ({@link DomainStoreMap}).
 * A backend (SQLite or PostgreSQL) implements all of them.
 */
export interface Store extends DomainStoreMap {
  platform: PlatformStore;
  /** Releases the database. */
  close(): Promise<void>;
  /**
   * Called with any error the app answered 503 for, so a backend can notice a lost connection
   * and reconnect on the next request (optional: pools reconnect by themselves).
   */
  reportFailure?(err: unknown): void;
}
