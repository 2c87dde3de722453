/**
 * `@fluxra/contract-tests`: checks any Fluxra Chat API server, rule by rule, against api.md and
 * the bundled OpenAPI spec.
 *
 * @example
 * import { allRules, runSuite, formatPretty } from "@fluxra/contract-tests";
 * const report = await runSuite({ baseUrl: "http://127.0.0.1:8787", rules: allRules });
 * console.log(formatPretty(report));
 */
export type { AgentOptions, CheckContext, TestAgent } from "./core/context.js";
export type { Exchange, Violation } from "./core/exchange.js";
export { CheckFailure, ensure, expectEqual, expectError, expectStatus } from "./core/expect.js";
export type { Json, RequestSpec, Res } from "./core/http.js";
export { type PassiveRule, passiveRules } from "./core/passive.js";
export type { FetchLike } from "./core/recorder.js";
export {
  type Failure,
  formatPretty,
  formatResult,
  type ReportedExchange,
  type RuleResult,
  type SuiteReport,
} from "./core/report.js";
export { defineRules, type Rule } from "./core/rule.js";
export { type RunOptions, runSuite } from "./core/runner.js";
export { bundledSpec, type Domain, domains, type OpenApiDocument } from "./core/spec.js";
export { SpecValidator } from "./core/validator.js";
export { allRules } from "./rules.js";
