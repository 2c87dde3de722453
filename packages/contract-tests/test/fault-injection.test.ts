import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { allRules, runSuite, type SuiteReport } from "../src/index.js";
import {
  addMemberAnswers200,
  dropNewestMessage,
  dropRateLimitHeaders,
  stripRequestId,
} from "./support/faults.js";
import { type Handler, type RunningServer, startReferenceServer } from "./support/serve.js";

const failedIds = (report: SuiteReport) =>
  report.results
    .filter((r) => r.status === "fail")
    .map((r) => r.id)
    .sort();

let running: RunningServer | undefined;

async function runAgainst(wrap?: (h: Handler) => Handler): Promise<SuiteReport> {
  running = await startReferenceServer(wrap);
  return runSuite({ baseUrl: running.baseUrl, rules: allRules });
}

/**
 * Each fault is judged against a clean run of the same server build, so what the suite reports is
 * exactly what the fault broke.
 */
describe("fault injection: the suite reports exactly the rules a broken server breaks", () => {
  let baseline: string[];

  beforeAll(async () => {
    baseline = failedIds(await runAgainst());
    await running?.close();
    running = undefined;
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  /** The faulty run must fail exactly the baseline's rules plus `expected`. */
  const expectFailures = (report: SuiteReport, expected: string[]) =>
    expect(failedIds(report)).toEqual([...new Set([...baseline, ...expected])].sort());

  it("error bodies without request_id fail conventions.error-envelope only", async () => {
    const report = await runAgainst(stripRequestId);
    expectFailures(report, ["conventions.error-envelope"]);
    const failure = report.results.find((r) => r.id === "conventions.error-envelope")?.failure;
    const missing = failure?.violations.filter((v) =>
      v.message.includes("must have required property 'request_id'"),
    );
    expect(missing?.length).toBeGreaterThan(10);
    expect(failure?.exchanges[0]?.response.status).toBeGreaterThanOrEqual(400);
  });

  it("message pages missing their newest message fail exactly the rules that read such pages", async () => {
    const report = await runAgainst(dropNewestMessage);
    expectFailures(report, [
      "blocks.blocked-in-shared-group",
      "chat.message-delete",
      "chat.message-send-idempotent",
      "chat.messages-after-before",
      "chat.messages-newest-first",
      "chat.messages-paging",
    ]);
  });

  it("a 201 turned into 200 on addMember fails the checks expecting 201 and chat.spec.addMember", async () => {
    const report = await runAgainst(addMemberAnswers200);
    expectFailures(report, ["blocks.block-group", "chat.members-add", "chat.spec.addMember"]);
    const spec = report.results.find((r) => r.id === "chat.spec.addMember")?.failure;
    expect(spec?.violations[0]?.message).toMatch(/status 200 is not declared for addMember/);
  });

  it("missing RateLimit-* headers fail the rate-limit header rules only", async () => {
    const report = await runAgainst(dropRateLimitHeaders);
    expectFailures(report, [
      "conventions.rate-limit-headers",
      "conventions.rate-limit-headers-sane",
    ]);
  });
});
