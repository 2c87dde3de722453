import { describe, expect, it } from "vitest";
import { loadSpec } from "../testing/spec.js";
import { ApiError, errorCodes } from "./errors.js";

// The server keeps its code → status table in code (no spec file at run time); the spec's
// `x-status-by-code` on `ErrorCode` is the source it must match.
const errorCode = loadSpec().components["schemas"]?.["ErrorCode"] as Record<string, unknown>;
const specStatus = errorCode["x-status-by-code"] as Record<string, number>;

describe("error codes", () => {
  it("are exactly the spec's closed catalog", () => {
    expect([...errorCodes].sort()).toEqual([...(errorCode["enum"] as string[])].sort());
  });

  it.each(Object.entries(specStatus))(
    "%s answers %i by default, as the spec says",
    (code, status) => {
      expect(new ApiError(code as (typeof errorCodes)[number], "m").status).toBe(status);
    },
  );
});
