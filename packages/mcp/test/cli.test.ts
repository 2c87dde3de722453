import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { bin } from "./support/mcp-client.js";

/** Runs the built bin to completion (these invocations never start a server). */
function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { PATH: process.env["PATH"] ?? "", ...env },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("fluxra-mcp command line", () => {
  it("--help documents the environment and every option", () => {
    const r = run(["--help"]);
    expect(r.code).toBe(0);
    for (const word of [
      "FLUXRA_API_KEY",
      "FLUXRA_BASE_URL",
      "--http",
      "--port",
      "--host",
      "--base-url",
      "--poll-interval",
    ]) {
      expect(r.stdout).toContain(word);
    }
  });

  it("exits 2 on an unknown flag or a bad number, on stderr only", () => {
    const unknown = run(["--verbose"], { FLUXRA_API_KEY: "fxk_x" });
    expect(unknown).toMatchObject({ code: 2, stdout: "" });
    expect(unknown.stderr).toMatch(/Unknown option '--verbose'[\s\S]*--help/);
    const port = run(["--http", "--port", "eighty"], { FLUXRA_API_KEY: "fxk_x" });
    expect(port).toMatchObject({ code: 2, stdout: "" });
    expect(port.stderr).toContain("--port must be an integer ≥ 0");
  });

  it("exits 2 without FLUXRA_API_KEY, saying what to do", () => {
    const r = run([]);
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain("FLUXRA_API_KEY is not set");
  });
});
