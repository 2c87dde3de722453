import type { Exchange } from "./exchange.js";
import type { Res } from "./http.js";

/**
 * Thrown by a check that does not apply to the server under test (a preview extension it does not
 * serve): the rule is reported as skipped with this reason, not as failed.
 */
export class SkipCheck extends Error {
  override name = "SkipCheck";
}

/** A broken expectation inside a check, with the exchange that broke it. */
export class CheckFailure extends Error {
  constructor(
    message: string,
    readonly exchange?: Exchange,
  ) {
    super(message);
    this.name = "CheckFailure";
  }
}

/**
 * Fails the check unless `condition` holds.
 * @throws {CheckFailure}
 */
export function ensure(condition: unknown, message: string, res?: Res): asserts condition {
  if (!condition) throw new CheckFailure(message, res?.exchange);
}

/**
 * Fails unless the response has `status` (or one of them).
 * @throws {CheckFailure}
 */
export function expectStatus(res: Res, status: number | number[], what = "the response"): void {
  const allowed = Array.isArray(status) ? status : [status];
  if (!allowed.includes(res.status)) {
    const code = res.errorCode ? ` (${res.errorCode})` : "";
    throw new CheckFailure(
      `${what}: expected ${allowed.join(" or ")}, got ${res.status}${code}`,
      res.exchange,
    );
  }
}

/**
 * Fails unless the response is the error envelope with `status` and `error.code` = `code`.
 * @throws {CheckFailure}
 */
export function expectError(res: Res, status: number, code: string, what = "the response"): void {
  if (res.status !== status || res.errorCode !== code) {
    throw new CheckFailure(
      `${what}: expected ${status} ${code}, got ${res.status} ${res.errorCode ?? "(no error code)"}`,
      res.exchange,
    );
  }
}

/**
 * Fails unless `actual` deep-equals `expected` (JSON comparison).
 * @throws {CheckFailure}
 */
export function expectEqual(actual: unknown, expected: unknown, what: string, res?: Res): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new CheckFailure(`${what}: expected ${e}, got ${a}`, res?.exchange);
}
