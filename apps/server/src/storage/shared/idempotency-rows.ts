import type { IdempotencyRecord, IdempotencyScope } from "../../platform/store.js";

/** An `idempotency_keys` row as both backends return it (`headers` is JSON text). */
export interface IdempotencyRow {
  request_hash: string;
  status: number | null;
  body: string | null;
  headers: string;
  created_at: number;
  locked_at: number;
}

/** The columns of {@link IdempotencyRow}, for SELECTs. */
export const idempotencyColumns = "request_hash, status, body, headers, created_at, locked_at";

/**
 * The key's four parts in the order both backends' WHERE clauses bind them
 * (caller, method, path, key).
 */
export function idempotencyKeyArgs(s: IdempotencyScope): string[] {
  return [s.caller, s.method, s.path, s.key];
}

/** Maps an `idempotency_keys` row to the platform record. */
export function toIdempotencyRecord(row: IdempotencyRow): IdempotencyRecord {
  return {
    requestHash: row.request_hash,
    status: row.status,
    body: row.body,
    headers: JSON.parse(row.headers) as Record<string, string>,
    createdAt: row.created_at,
    lockedAt: row.locked_at,
  };
}

/**
 * Whether a new claim may take over an existing key: the key expired, or the same request's
 * earlier attempt never completed and its lock is stale (the process died mid-request).
 */
export function mayTakeOverIdempotencyKey(
  row: IdempotencyRow,
  requestHash: string,
  expiresBefore: number,
  staleBefore: number,
): boolean {
  return (
    row.created_at < expiresBefore ||
    (row.status === null && row.locked_at < staleBefore && row.request_hash === requestHash)
  );
}
