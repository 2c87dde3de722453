import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toNullableTimestamp, toTimestamp } from "./clock.js";

describe("toTimestamp", () => {
  it("formats exactly like Date#toISOString for any millisecond of years 1970–9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => {
        expect(toTimestamp(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it("stays exact across day boundaries and the cached day changing back and forth", () => {
    const midnight = Date.UTC(2026, 10, 30);
    for (const ms of [midnight - 1, midnight, midnight + 1, midnight - 1, 0, 999, 86_399_999]) {
      expect(toTimestamp(ms)).toBe(new Date(ms).toISOString());
    }
    expect(toTimestamp(Date.UTC(2026, 3, 3, 20, 0, 0, 7))).toBe("2026-04-03T20:00:00.007Z");
  });

  it("falls back to Date for times outside the fast range", () => {
    for (const ms of [-1, -86_400_001, 253_402_300_800_000, 1.5]) {
      expect(toTimestamp(ms)).toBe(new Date(ms).toISOString());
    }
    expect(toNullableTimestamp(null)).toBeNull();
  });
});
