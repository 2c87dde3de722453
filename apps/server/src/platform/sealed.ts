import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Seals text with AES-256-GCM: `v1.` + base64url(iv ‖ tag ‖ ciphertext). Used for stored
 * idempotent responses, which can carry a secret shown once (a recovery key, an api key, an
 * access token): the database never holds them in plain text.
 */
export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
}

/** Opens what {@link seal} produced; throws if it was tampered with or sealed with another key. */
export function unseal(key: Buffer, sealed: string): string {
  if (!sealed.startsWith("v1.")) throw new Error("unknown sealed format");
  const raw = Buffer.from(sealed.slice(3), "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}
