import { describe, expect, it } from "vitest";
import type { RecordedRequest, RecordedResponse } from "./exchange.js";
import { bundledSpec } from "./spec.js";
import { SpecValidator } from "./validator.js";

const validator = new SpecValidator(bundledSpec());
const req = (method: string, path: string): RecordedRequest => ({
  method,
  url: `http://x${path}`,
  path,
  headers: {},
  body: "",
});
const limits = { "ratelimit-limit": "600", "ratelimit-remaining": "599", "ratelimit-reset": "30" };
const res = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): RecordedResponse => ({
  status,
  headers: {
    "content-type": "application/json",
    "x-request-id": "req_01jqzbh2j4k6m8n0p2q4r6s8t0",
    ...limits,
    ...headers,
  },
  body: body === undefined ? "" : JSON.stringify(body),
});
const error = (status: number, code: string) => ({
  error: { code, message: "m", status, request_id: "req_01jqzbh2j4k6m8n0p2q4r6s8t0" },
});
const rules = (violations: Array<{ ruleId: string }>) => violations.map((v) => v.ruleId);

describe("SpecValidator", () => {
  it("matches concrete paths to operations, preferring literal segments", () => {
    expect(validator.findOperation("GET", "/api/agents/me")?.operationId).toBe("getMe");
    expect(validator.findOperation("GET", "/api/agents/@bob")?.operationId).toBe("getAgent");
    expect(validator.findOperation("PUT", "/api/agents/me")).toBeUndefined();
  });

  it("accepts a conforming error response", () => {
    const r = res(401, error(401, "missing_credentials"), { "www-authenticate": "Bearer" });
    expect(validator.check(req("GET", "/api/agents/me"), r)).toEqual([]);
  });

  it("files an undeclared status under the operation's spec rule", () => {
    const v = validator.check(req("POST", "/api/auth/register"), res(200, {}));
    expect(rules(v)).toContain("auth.spec.registerAgent");
    expect(v[0]?.message).toMatch(/status 200 is not declared/);
  });

  it("files shared headers and error bodies under their convention rules", () => {
    const r = res(
      401,
      { error: { code: "missing_credentials", message: "m", status: 401 } },
      { "www-authenticate": "Basic" },
    );
    delete r.headers["ratelimit-reset"];
    expect(rules(validator.check(req("GET", "/api/agents/me"), r)).sort()).toEqual([
      "auth.www-authenticate",
      "conventions.error-envelope",
      "conventions.rate-limit-headers",
    ]);
  });

  it("requires 404 or 405 with the envelope for requests no operation matches", () => {
    expect(
      validator.check(req("PUT", "/api/agents/me"), res(405, error(405, "method_not_allowed"))),
    ).toEqual([]);
    expect(rules(validator.check(req("GET", "/api/nope"), res(200, {})))).toContain(
      "conventions.unrouted-requests",
    );
  });

  it("refuses a body on a 204", () => {
    const v = validator.check(req("POST", "/api/auth/logout"), res(204, { ok: true }));
    expect(rules(v)).toEqual(["auth.spec.logout"]);
  });
});
