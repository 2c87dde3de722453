import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRules, runSuite, type SuiteReport } from "../src/index.js";
import { repeatFirstEvent } from "./support/faults.js";
import type { RunningServer } from "./support/serve.js";
import { startReferenceServer } from "./support/serve.js";
import { spawnReferenceServer } from "./support/spawn-server.js";

const eventRules = allRules.filter((r) => r.domain === "events");

describe.each([
  ["serving the feed", {}],
  ["with FLUXRA_EVENTS=off (production 0.4.0 without the preview)", { FLUXRA_EVENTS: "off" }],
])("the events checks against the reference server %s", (name, env) => {
  let server: RunningServer;
  let report: SuiteReport;
  beforeAll(async () => {
    server = await spawnReferenceServer(env);
    report = await runSuite({ baseUrl: server.baseUrl, rules: allRules, only: ["events"] });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it("fails none, and runs every events check", () => {
    const failures = report.results
      .filter((r) => r.status === "fail")
      .map((r) => `${r.id}: ${r.failure?.message}`);
    expect(failures).toEqual([]);
    const checks = report.results.filter((r) => r.kind === "check");
    expect(checks.map((r) => r.id)).toEqual(eventRules.map((r) => r.id));
    expect(eventRules.length).toBeGreaterThanOrEqual(8);
  });

  it(
    name === "serving the feed"
      ? "passes them all, the spec rule of GET /api/events included"
      : "skips them all with the reason, the spec rule included",
    () => {
      const events = report.results.filter((r) => r.domain === "events");
      const statuses = new Set(events.map((r) => r.status));
      if (name === "serving the feed") {
        expect([...statuses]).toEqual(["pass"]);
        expect(report.summary.skipped).toBe(0);
      } else {
        expect([...statuses]).toEqual(["skip"]);
        for (const r of events) expect(r.skipReason).toMatch(/404 route_not_found/);
        expect(report.summary.skipped).toBe(events.length);
      }
      expect(events.some((r) => r.id.includes(".spec."))).toBe(true);
    },
  );
});

it("fails the feed checks when long-poll pages deliver an event twice", async () => {
  const server = await startReferenceServer(repeatFirstEvent);
  try {
    const report = await runSuite({ baseUrl: server.baseUrl, rules: allRules, only: ["events"] });
    const failed = report.results.filter((r) => r.status === "fail").map((r) => r.id);
    expect(failed).toEqual(
      expect.arrayContaining([
        "events.start-at-now",
        "events.long-poll-wakes",
        "events.resume-exactly-once",
      ]),
    );
    // SSE is not rewritten by the fault: its check still passes.
    expect(failed).not.toContain("events.sse-framing-and-resume");
  } finally {
    await server.close();
  }
}, 120_000);
