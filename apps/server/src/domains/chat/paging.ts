import { validationError } from "../../platform/errors.js";
import type { Page as ApiPage } from "../../platform/pagination.js";
import type { Page } from "./store.js";

const badCursor = () =>
  validationError("query.cursor", "This cursor was not issued for this list.");

/**
 * Parses a keyset position (a JSON object) taken from a verified cursor. The HMAC already
 * proves we issued it; the shape check guards against positions from an older server version.
 *
 * @throws {ApiError} 422 `validation_failed` when the position has the wrong shape.
 */
export function decodeKey<K>(position: string, fields: readonly (keyof K & string)[]): K {
  let value: unknown;
  try {
    value = JSON.parse(position);
  } catch {
    throw badCursor();
  }
  if (typeof value !== "object" || value === null) throw badCursor();
  for (const field of fields) {
    const v = (value as Record<string, unknown>)[field];
    if (typeof v !== "string" && typeof v !== "number") throw badCursor();
  }
  return value as K;
}

/**
 * Parses a message-list position: a positive integer `seq`.
 *
 * @throws {ApiError} 422 `validation_failed` when it is not one.
 */
export function decodeSeq(position: string): number {
  const seq = Number(position);
  if (!Number.isSafeInteger(seq) || seq < 0) throw badCursor();
  return seq;
}

/** Turns a store page into the API's list envelope, minting a cursor from the next position. */
export function pageOf<T, K>(page: Page<T, K>, encode: (key: K) => string): ApiPage<T> {
  return {
    data: page.rows,
    has_more: page.next !== null,
    next_cursor: page.next === null ? null : encode(page.next),
  };
}
