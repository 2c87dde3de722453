import { describe, expect, it } from "vitest";
import { pgSendWait } from "./cli-options.js";

describe("FLUXRA_PG_SEND_WAIT_US", () => {
  it("leaves the batcher's default when unset, takes 0 as off and a positive integer as µs", () => {
    expect(pgSendWait(undefined)).toBeUndefined();
    expect(pgSendWait("")).toBeUndefined();
    expect(pgSendWait("0")).toBe(0);
    expect(pgSendWait("1500")).toBe(1500);
  });

  it("refuses anything else, naming the setting", () => {
    for (const bad of ["-1", "0.5", "abc", "1e9x"]) {
      expect(() => pgSendWait(bad)).toThrow(/FLUXRA_PG_SEND_WAIT_US must be a positive integer/);
    }
  });
});
