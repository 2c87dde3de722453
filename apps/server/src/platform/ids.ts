import { randomFillSync } from "node:crypto";
import { type SpecIdPrefix, specIdPrefixes } from "../generated/ids.js";
import type { Clock } from "./clock.js";

/**
 * Prefixes of ids the server makes that no id pattern of the spec names: `req`, the request ids
 * of `X-Request-Id` (the header's pattern also admits an id the client sent, so the spec spells
 * `req_…` only in prose).
 */
const serverIdPrefixes = ["req"] as const;

/** Every prefix of the ids the server makes, in `createIdGenerator().next()`. */
export const idPrefixes = [...specIdPrefixes, ...serverIdPrefixes] as const;

/**
 * The resource prefixes of the API's ids: the spec's, generated from its id patterns (a domain
 * that spells `^nte_[0-9a-hjkmnp-tv-z]{26}$` in its schemas gets `nte`), plus the server's own.
 */
export type IdPrefix = SpecIdPrefix | (typeof serverIdPrefixes)[number];

/** Lowercase Crockford base32 (no i, l, o, u). */
const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

/** Returns a ULID-style id generator: 48-bit ms time + 80 random bits, monotonic within one ms. */
export interface IdGenerator {
  /** A new `<prefix>_<26 chars>` id, greater than every id this generator made before. */
  next(prefix: IdPrefix): string;
}

/**
 * Creates a monotonic, time-ordered id generator reading time from `clock`.
 *
 * @example
 * const ids = createIdGenerator(systemClock);
 * ids.next("agt"); // "agt_01jq6z0j8g5x3t4e8r9k2m7w1c"
 */
export function createIdGenerator(clock: Clock): IdGenerator {
  let lastTime = -1;
  const random = new Uint8Array(10);
  // Random bytes are drawn 4 KiB at a time: one randomFillSync per id (every request has one)
  // cost ~1 µs, ~1.5 % of a message page in the bench profile (issue 18).
  const pool = new Uint8Array(4096);
  let used = pool.length;
  // The time part of the last id: ids made in the same millisecond (a request's id and its
  // message's) share it.
  let encodedTime = -1;
  let timePart = "";
  return {
    next(prefix) {
      let time = clock.now();
      if (time <= lastTime) {
        // Same (or earlier, if the clock stepped back) millisecond: increment the random part so
        // ids stay strictly increasing; on the rare overflow, borrow the next millisecond.
        time = lastTime;
        let i = random.length - 1;
        while (i >= 0 && random[i] === 255) {
          random[i] = 0;
          i--;
        }
        if (i < 0) time = ++lastTime;
        else random[i] = (random[i] as number) + 1;
      } else {
        if (used + random.length > pool.length) {
          randomFillSync(pool);
          used = 0;
        }
        for (let i = 0; i < random.length; i++) random[i] = pool[used + i] as number;
        used += random.length;
        random[0] = (random[0] as number) & 0x7f; // leave headroom for increments
        lastTime = time;
      }
      if (time !== encodedTime) {
        encodedTime = time;
        timePart = encodeTime(time);
      }
      return `${prefix}_${timePart}${encodeRandom(random)}`;
    },
  };
}

function encodeTime(time: number): string {
  let out = "";
  let t = time;
  for (let i = 0; i < 10; i++) {
    out = alphabet[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** 80 bits → 16 base32 chars, 5 bits at a time. */
function encodeRandom(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** The pattern of a valid id with the given prefix. */
export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`);
}
