import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageDir } from "../test/support/agent.js";

const script = `${packageDir}scripts/generate.mjs`;
const specFile = createRequire(script).resolve("@fluxra/openapi/fluxra.json");

/** The parts of the bundled spec these tests modify. */
interface Spec {
  components: {
    schemas: Record<
      string,
      { maxLength?: number; properties?: Record<string, { enum?: string[] }> }
    >;
  };
}

function check(spec?: (s: Spec) => void) {
  const dir = mkdtempSync(join(tmpdir(), "fluxra-mcp-spec-"));
  try {
    const args = [script, "--check"];
    if (spec) {
      const copy = JSON.parse(readFileSync(specFile, "utf8"));
      spec(copy);
      writeFileSync(join(dir, "fluxra.json"), JSON.stringify(copy));
      args.push("--spec", join(dir, "fluxra.json"));
    }
    execFileSync("node", args, { encoding: "utf8", stdio: "pipe" });
    return { code: 0, stderr: "" };
  } catch (error) {
    const e = error as { status: number; stderr: string };
    return { code: e.status, stderr: e.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Each case runs the generator in a child process: seconds on a loaded machine.
describe("generated tool schemas", { timeout: 60_000 }, () => {
  it("match the bundled spec (run `pnpm --filter @fluxra/mcp generate` if this fails)", () => {
    expect(check()).toEqual({ code: 0, stderr: "" });
  });

  it("are reported stale when a schema a tool uses changes", () => {
    const r = check((s) => {
      const content = s.components.schemas["MessageContent"];
      if (content) content.maxLength = 4000;
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("src/generated/tools.ts is stale");
  });

  it("refuse to generate when the spec drops what a tool relies on", () => {
    const r = check((s) => {
      const type = s.components.schemas["CreateDirectConversationRequest"]?.properties?.["type"];
      if (type) type.enum = ["dm"];
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "open_direct: CreateDirectConversationRequest.type no longer allows direct",
    );
  });
});
