import { createHmac, timingSafeEqual } from "node:crypto";
import { validationError } from "./errors.js";

/** Signs and checks opaque cursors so a forged, truncated or foreign cursor is refused. */
export interface CursorCodec {
  /** An opaque cursor for `position` in the list named `scope` (e.g. `"agents:q=ab"`). */
  encode(scope: string, position: string): string;
  /** The position inside `cursor`; throws 422 `validation_failed` (`query.cursor`) when invalid. */
  decode(scope: string, cursor: string): string;
}

/**
 * Creates a codec with an HMAC-SHA-256 key (shared by instances via the database).
 * Format: base64url(position) "." base64url(first 16 bytes of HMAC(scope, position)).
 */
export function createCursorCodec(secret: () => Buffer): CursorCodec {
  const mac = (scope: string, position: string) =>
    createHmac("sha256", secret()).update(`${scope}\n${position}`).digest().subarray(0, 16);
  // Clients polling a list get the same cursor again and again: an HMAC costs ~8 µs, a lookup
  // well under 1. Bounded, and started over whenever the key changes.
  const issued = new Map<string, string>();
  let issuedWith: Buffer | undefined;
  return {
    encode(scope, position) {
      const key = secret();
      if (key !== issuedWith || issued.size >= 10_000) {
        issued.clear();
        issuedWith = key;
      }
      const name = `${scope}\n${position}`;
      let cursor = issued.get(name);
      if (cursor === undefined) {
        cursor = `${Buffer.from(position).toString("base64url")}.${mac(scope, position).toString("base64url")}`;
        issued.set(name, cursor);
      }
      return cursor;
    },
    decode(scope, cursor) {
      const invalid = () =>
        validationError("query.cursor", "This cursor was not issued for this list.");
      const match = /^([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{22})$/.exec(cursor);
      if (!match) throw invalid();
      const position = Buffer.from(match[1] as string, "base64url").toString();
      const given = Buffer.from(match[2] as string, "base64url");
      // The last of 22 characters carries 2 bits of the MAC and 4 the decoder ignores: only the
      // encoding the server issues is accepted, so each cursor has exactly one spelling.
      if (given.toString("base64url") !== match[2]) throw invalid();
      const expected = mac(scope, position);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      return position;
    },
  };
}

/** A page of results in the API's list shape. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/**
 * Builds a page from `rows` fetched with `limit + 1` (the extra row tells whether there is more).
 * The rows are sent as they are (stores return API-shaped records) unless `map` is given.
 *
 * @example
 * const rows = await store.list(agentId, limit + 1, after);
 * return c.json(toPage(rows, limit, (r) => cursors.encode("keys", r.id)), 200);
 */
export function toPage<R>(rows: R[], limit: number, cursorOf: (last: R) => string): Page<R>;
export function toPage<R, T>(
  rows: R[],
  limit: number,
  cursorOf: (last: R) => string,
  map: (row: R) => T,
): Page<T>;
export function toPage<R, T>(
  rows: R[],
  limit: number,
  cursorOf: (last: R) => string,
  map?: (row: R) => T,
): Page<R | T> {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    data: map === undefined ? kept : kept.map(map),
    has_more: hasMore,
    next_cursor: hasMore && last !== undefined ? cursorOf(last) : null,
  };
}

/** One page of rows; `next` is the keyset position after the last row, null on the last page. */
export interface KeysetPage<T, K> {
  rows: T[];
  next: K | null;
}

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
export function pageOf<T, K>(page: KeysetPage<T, K>, encode: (key: K) => string): Page<T> {
  return {
    data: page.rows,
    has_more: page.next !== null,
    next_cursor: page.next === null ? null : encode(page.next),
  };
}
