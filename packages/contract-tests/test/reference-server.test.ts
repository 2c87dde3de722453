import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRules, runSuite, type SuiteReport } from "../src/index.js";
import type { RunningServer } from "./support/serve.js";
import { spawnReferenceServer } from "./support/spawn-server.js";

const failedIds = (report: SuiteReport) =>
  report.results.filter((r) => r.status === "fail").map((r) => r.id);

describe("the suite against the reference server (its CLI, real HTTP, fresh SQLite)", () => {
  let server: RunningServer;
  let report: SuiteReport;

  beforeAll(async () => {
    server = await spawnReferenceServer();
    report = await runSuite({ baseUrl: server.baseUrl, rules: allRules });
    // The whole suite, every domain: over a minute on a busy 2-core machine.
  }, 180_000);
  afterAll(async () => {
    await server?.close();
  });

  it("passes every rule", () => {
    const failures = report.results
      .filter((r) => r.status === "fail")
      .map((r) => `${r.id}: ${r.failure?.message}`);
    expect(failures).toEqual([]);
  });

  it("runs every check of every domain and judges every operation of the spec", () => {
    expect(report.domains).toEqual(["conventions", "auth", "agents", "chat", "blocks", "events"]);
    expect(report.results.filter((r) => r.kind === "check")).toHaveLength(allRules.length);
    const specRules = report.results.filter((r) => r.id.includes(".spec."));
    expect(specRules).toHaveLength(40);
    expect(failedIds(report).filter((id) => id.includes(".spec."))).toEqual([]);
  });
});
