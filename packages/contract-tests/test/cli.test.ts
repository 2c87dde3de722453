import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripRequestId } from "./support/faults.js";
import { type RunningServer, startReferenceServer } from "./support/serve.js";

const bin = fileURLToPath(new URL("../bin/fluxra-contract-tests.js", import.meta.url));

/**
 * Runs the built CLI (`pnpm test` builds dist first) as a user would. Asynchronously: the servers
 * under test live in this process and must keep answering.
 */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { timeout: 90_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: unknown }).code as number) : 0;
        resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
      },
    );
  });
}

describe("the fluxra-contract-tests CLI", () => {
  let good: RunningServer;
  let broken: RunningServer;
  beforeAll(async () => {
    good = await startReferenceServer();
    broken = await startReferenceServer(stripRequestId);
  });
  afterAll(async () => {
    await good?.close();
    await broken?.close();
  });

  it("prints one line per rule and exits 0 when every rule of the selected domains passes", async () => {
    const r = await cli("--base-url", good.baseUrl, "--only", "agents");
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n").filter((l) => /^(PASS|FAIL) /.test(l));
    expect(lines.length).toBeGreaterThan(15);
    expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([]);
    expect(lines).toContain(
      "PASS agents.deactivate: deactivation (recovery key) answers 204; credentials die, the profile shows deactivated_at, discovery drops it, the handle stays taken",
    );
    expect(r.code).toBe(0);
  });

  it("exits 1 and shows the request, the response and the broken rule when a rule fails; --json-report writes the report", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "fluxra-cli-")), "report.json");
    const r = await cli("--base-url", broken.baseUrl, "--only", "agents", "--json-report", file);
    expect(r.code).toBe(1);
    const failure = r.stdout.slice(r.stdout.indexOf("FAIL conventions.error-envelope"));
    expect(failure).toMatch(/broke: api\.md §1 Conventions · errors/);
    expect(failure).toMatch(/must have required property 'request_id'/);
    expect(failure).toMatch(/request \(during agents\.[a-z-]+\): (GET|POST|PATCH|DELETE) http/);
    expect(failure).toMatch(/response: 4\d\d/);
    expect(failure).not.toMatch(/fx[kr]_[0-9A-Za-z]{38}/);
    const report = JSON.parse(readFileSync(file, "utf8"));
    expect(report.summary.failed).toBeGreaterThan(0);
    expect(
      report.results.find((x: { id: string }) => x.id === "conventions.error-envelope").status,
    ).toBe("fail");
  });

  it("--reporter json prints the report on stdout", async () => {
    const r = await cli("--base-url", good.baseUrl, "--only", "conventions", "--reporter", "json");
    const report = JSON.parse(r.stdout);
    expect(report.domains).toEqual(["conventions"]);
    expect(report.summary.total).toBe(report.results.length);
  });

  it("exits 2 on bad arguments or an unreachable server", async () => {
    expect((await cli("--only", "auth")).code).toBe(2);
    const r = await cli("--base-url", "http://127.0.0.1:9");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
