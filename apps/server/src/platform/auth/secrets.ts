import { hash, randomBytes, timingSafeEqual } from "node:crypto";
import { crc32 } from "node:zlib";

/** The two kinds of long-lived secret: recovery keys (`fxr_`) and api keys (`fxk_`). */
export type SecretKind = "fxr" | "fxk";

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const randomLength = 32;
const checksumLength = 6;

/** Base62 CRC32 of the random part, left-padded with `0` to 6 characters (GitHub's token format). */
export function secretChecksum(random: string): string {
  let n = crc32(random);
  let out = "";
  while (n > 0) {
    out = base62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(checksumLength, "0");
}

/**
 * A new secret: prefix + 32 base62 characters from the CSPRNG (≈190 bits) + checksum.
 *
 * @example
 * generateSecret("fxk"); // "fxk_3J0c…Q1x9aZ"
 */
export function generateSecret(kind: SecretKind): string {
  let random = "";
  while (random.length < randomLength) {
    for (const byte of randomBytes(48)) {
      // Reject 248..255 so every character is equally likely (248 = 4 × 62).
      if (byte < 248 && random.length < randomLength) random += base62[byte % 62];
    }
  }
  return `${kind}_${random}${secretChecksum(random)}`;
}

const shape: Record<SecretKind, RegExp> = {
  fxr: /^fxr_[0-9A-Za-z]{38}$/,
  fxk: /^fxk_[0-9A-Za-z]{38}$/,
};

/** True when `value` has the shape and a valid checksum of a `kind` secret; costs no lookup. */
export function isWellFormedSecret(value: string, kind: SecretKind): boolean {
  if (!shape[kind].test(value)) return false;
  const random = value.slice(4, 4 + randomLength);
  return secretChecksum(random) === value.slice(4 + randomLength);
}

/** SHA-256 (hex) of a secret or session id: the only form in which they are stored. */
export function sha256Hex(value: string): string {
  // The one-shot `hash()` (Node ≥ 20.12): ~0.4 µs where createHash().update().digest() took ~0.9.
  return hash("sha256", value, "hex");
}

/**
 * What a session is stored and looked up by: the creation time of its id (the 10 characters
 * after `ses_`, the same millisecond as the row's `created_at`, so nothing secret) followed by
 * the SHA-256 of the id. The hash alone is random, so every token exchange inserted it on a
 * random leaf of the sessions' hash index: a page written to the WAL per session, and copied
 * again by the checkpoint. With the time first, new sessions land at the index's right edge, as
 * the table's rows do (~15 % of an exchange's CPU in the bench, issue 18).
 */
export function sessionIdHash(sessionId: string): string {
  return sessionId.slice(4, 14) + sha256Hex(sessionId);
}

/** Compares two hex digests in constant time. */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}
