import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { seal, unseal } from "./sealed.js";

describe("sealed replays", () => {
  const key = randomBytes(32);

  it("round-trip and never show the plain text", () => {
    const secret = '{"recovery_key":"fxr_8X5wJ7uqmvoMMySNSHX34UnLiXUNXPiQ3iclto"}';
    const sealed = seal(key, secret);
    expect(sealed).not.toContain("fxr_");
    expect(unseal(key, sealed)).toBe(secret);
    expect(seal(key, secret)).not.toBe(sealed); // fresh IV each time
  });

  it("refuse a tampered ciphertext or another key", () => {
    const sealed = seal(key, "hello");
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith("A") ? "B" : "A"}A`;
    expect(() => unseal(key, tampered)).toThrow();
    expect(() => unseal(randomBytes(32), sealed)).toThrow();
  });
});
