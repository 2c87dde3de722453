import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  generateSecret,
  hashesEqual,
  isWellFormedSecret,
  secretChecksum,
  sha256Hex,
} from "./secrets.js";

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

describe("secrets", () => {
  it("look like fxk_/fxr_ + 32 random base62 + 6-char CRC32 checksum", () => {
    for (const kind of ["fxk", "fxr"] as const) {
      const secret = generateSecret(kind);
      expect(secret).toMatch(new RegExp(`^${kind}_[0-9A-Za-z]{38}$`));
      expect(isWellFormedSecret(secret, kind)).toBe(true);
      expect(isWellFormedSecret(secret, kind === "fxk" ? "fxr" : "fxk")).toBe(false);
    }
  });

  it("are never repeated", () => {
    const seen = new Set(Array.from({ length: 2000 }, () => generateSecret("fxk")));
    expect(seen.size).toBe(2000);
  });

  it("fail the checksum after any single-character change", () => {
    const secret = generateSecret("fxk");
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 41 }),
        fc.integer({ min: 0, max: 61 }),
        (position, replacement) => {
          const char = base62[replacement] as string;
          fc.pre(secret[position] !== char);
          const changed = secret.slice(0, position) + char + secret.slice(position + 1);
          expect(isWellFormedSecret(changed, "fxk")).toBe(false);
        },
      ),
    );
  });

  it("pads the checksum with leading zeros", () => {
    expect(secretChecksum("")).toBe("000000");
    expect(secretChecksum("a")).toHaveLength(6);
  });

  it("hash with SHA-256 and compare digests", () => {
    const h = sha256Hex("fxk_x");
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashesEqual(h, sha256Hex("fxk_x"))).toBe(true);
    expect(hashesEqual(h, sha256Hex("fxk_y"))).toBe(false);
    expect(hashesEqual(h, "00")).toBe(false);
  });
});
