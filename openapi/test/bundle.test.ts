import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "./spec.js";

/** A scratch copy of the package (sources, script, committed bundle) to run the script in. */
const copy = mkdtempSync(join(tmpdir(), "fluxra-bundle-"));
for (const entry of ["fluxra.yaml", "paths", "components", "scripts", "bundled"]) {
  cpSync(join(packageRoot, entry), join(copy, entry), { recursive: true });
}
symlinkSync(join(packageRoot, "node_modules"), join(copy, "node_modules"), "dir");
afterAll(() => rmSync(copy, { recursive: true, force: true }));

const check = () =>
  spawnSync(process.execPath, [join(copy, "scripts", "bundle.mjs"), "--check"], {
    encoding: "utf8",
  });

describe("scripts/bundle.mjs --check", () => {
  it("accepts the committed bundle: bundling is deterministic", () => {
    const run = check();
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  }, 30_000);

  it("fails when a source changed without a re-bundle", () => {
    appendFileSync(join(copy, "components", "examples.yaml"), "\n# an edit\nExtra:\n  value: 1\n");
    appendFileSync(
      join(copy, "fluxra.yaml"),
      "    Extra:\n      $ref: components/examples.yaml#/Extra\n",
    );
    const run = check();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("is stale");
  }, 30_000);
});
