import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageDir } from "../test/support/dist.js";

const script = `${packageDir}scripts/generate.mjs`;
const check = (...args: string[]) => {
  try {
    execFileSync("node", [script, "--check", ...args], { encoding: "utf8", stdio: "pipe" });
    return { code: 0, stderr: "" };
  } catch (error) {
    const e = error as { status: number; stderr: string };
    return { code: e.status, stderr: e.stderr };
  }
};

// Each case runs openapi-typescript over the whole spec in a child process: seconds, not
// milliseconds, on a loaded machine.
describe("generated types", { timeout: 60_000 }, () => {
  it("match the bundled spec (run `pnpm --filter @fluxra/sdk generate` if this fails)", () => {
    expect(check()).toEqual({ code: 0, stderr: "" });
  });

  it("are reported stale when the spec changes", () => {
    const spec = JSON.parse(
      readFileSync(createRequire(script).resolve("@fluxra/openapi/fluxra.json"), "utf8"),
    );
    spec.components.schemas.Message.properties.pinned = { type: "boolean" };
    const dir = mkdtempSync(join(tmpdir(), "fluxra-sdk-spec-"));
    try {
      writeFileSync(join(dir, "fluxra.json"), JSON.stringify(spec));
      const result = check("--spec", join(dir, "fluxra.json"));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("src/generated is stale (schema.ts)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
