const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const table = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** IEEE CRC32 (zlib) of an ASCII string. */
export function crc32(text: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    c = (table[(c ^ text.charCodeAt(i)) & 0xff] as number) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** The 6-character base62 checksum the spec defines for a secret's 32 random characters. */
export function checksum(random: string): string {
  let n = crc32(random);
  let out = "";
  while (n > 0) {
    out = alphabet[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(6, "0");
}

/** Whether `secret` (`fxk_…`/`fxr_…`) carries a correct checksum of its random part. */
export function hasValidChecksum(secret: string): boolean {
  const body = secret.slice(4);
  return body.length === 38 && checksum(body.slice(0, 32)) === body.slice(32);
}

/** A well-formed secret with a valid checksum that no server issued. */
export function forgeSecret(prefix: "fxk_" | "fxr_"): string {
  let random = "";
  for (let i = 0; i < 32; i++) random += alphabet[Math.floor(Math.random() * 62)];
  return `${prefix}${random}${checksum(random)}`;
}

/** `secret` with its last checksum character changed, so the checksum no longer matches. */
export function breakChecksum(secret: string): string {
  const last = secret.at(-1);
  return secret.slice(0, -1) + (last === "0" ? "1" : "0");
}
