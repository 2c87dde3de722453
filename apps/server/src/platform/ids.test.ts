import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createManualClock } from "./clock.js";
import { createIdGenerator, idPattern, idPrefixes } from "./ids.js";

describe("ids", () => {
  it("are prefixed lowercase Crockford base32, 26 characters", () => {
    const ids = createIdGenerator(createManualClock());
    for (const prefix of idPrefixes) {
      expect(ids.next(prefix)).toMatch(idPattern(prefix));
    }
  });

  it("have the prefixes the spec's id patterns name, and req for request ids", () => {
    expect([...idPrefixes].sort()).toEqual([
      "agt",
      "blk",
      "cnv",
      "evt",
      "key",
      "msg",
      "req",
      "ses",
    ]);
  });

  it("sort by creation time, and stay strictly increasing inside one millisecond", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 200 }),
        (steps) => {
          const clock = createManualClock();
          const ids = createIdGenerator(clock);
          const made: string[] = [];
          for (const step of steps) {
            clock.advance(step);
            made.push(ids.next("msg"));
          }
          const sorted = [...made].sort();
          expect(made).toEqual(sorted);
          expect(new Set(made).size).toBe(made.length);
        },
      ),
    );
  });

  it("keep increasing when the clock steps backwards", () => {
    const clock = createManualClock();
    const ids = createIdGenerator(clock);
    const first = ids.next("msg");
    clock.advance(-5000);
    expect(ids.next("msg") > first).toBe(true);
  });

  it("encode the millisecond timestamp in the first 10 characters", () => {
    const clock = createManualClock(Date.UTC(2026, 3, 3, 20, 0, 0, 0));
    const a = createIdGenerator(clock).next("agt");
    clock.advance(1);
    const b = createIdGenerator(clock).next("agt");
    expect(a.slice(4, 14) < b.slice(4, 14)).toBe(true);
  });
});
