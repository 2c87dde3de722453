import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRules, runSuite, type SuiteReport } from "../src/index.js";
import { type PrismProxy, startPrismProxy } from "./support/prism.js";
import { type RunningServer, startReferenceServer } from "./support/serve.js";

/** What prism reports in `sl-violations`. */
interface PrismViolation {
  location: string[];
  code: string | number;
  message: string;
}

/**
 * Checks that prism cannot forward unchanged: it answers unparsable JSON itself, does not pass a
 * chunked 70 KiB upload through, and buffers a Server-Sent Events response instead of streaming
 * it, so those run only directly against the server.
 */
const answeredByPrism = [
  "conventions.invalid-json",
  "conventions.payload-too-large-chunked",
  "events.sse-framing-and-resume",
];
const rules = allRules.filter((r) => !answeredByPrism.includes(r.id));

const failedIds = (report: SuiteReport) =>
  report.results.filter((r) => r.status === "fail").map((r) => r.id);

describe("the suite through prism proxy, an independent OpenAPI validator", () => {
  let server: RunningServer;
  let prism: PrismProxy;
  let direct: SuiteReport;
  let proxied: SuiteReport;
  const found: Array<{ request: string; status: number; violation: PrismViolation }> = [];

  beforeAll(async () => {
    server = await startReferenceServer();
    prism = await startPrismProxy(server.baseUrl);
    direct = await runSuite({ baseUrl: server.baseUrl, rules });
    proxied = await runSuite({
      baseUrl: prism.baseUrl,
      rules,
      fetch: async (request) => {
        const response = await fetch(request);
        for (const violation of JSON.parse(response.headers.get("sl-violations") ?? "[]")) {
          found.push({
            request: `${request.method} ${request.url}`,
            status: response.status,
            violation,
          });
        }
        return response;
      },
    });
    // The whole suite twice (directly, then through prism): over two minutes on a busy machine.
  }, 300_000);
  afterAll(async () => {
    await prism?.close();
    await server?.close();
  });

  it("finds no violation in any response of the reference server", () => {
    expect(found.filter((f) => f.violation.location[0] === "response")).toEqual([]);
  });

  it("flags the requests the suite makes invalid on purpose (so it is validating)", () => {
    const requestSide = found.filter((f) => f.violation.location[0] === "request");
    expect(requestSide.length).toBeGreaterThan(50);
    expect(requestSide.some((f) => f.violation.location.join(".") === "request.query.limit")).toBe(
      true,
    );
  });

  it("changes no verdict of the suite", () => {
    expect(proxied.summary.requests).toBe(direct.summary.requests);
    expect(failedIds(proxied)).toEqual(failedIds(direct));
  });
});
