import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "./spec.js";

/** A scratch copy of the package (sources, script, committed bundle) to run the script in. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "fluxra-bundle-"));
  for (const entry of ["fluxra.yaml", "paths", "components", "scripts", "bundled"]) {
    cpSync(join(packageRoot, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(packageRoot, "node_modules"), join(dir, "node_modules"), "dir");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const run = (dir: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(dir, "scripts", "bundle.mjs"), ...args], {
    encoding: "utf8",
  });

const copy = scratchCopy();
const check = () => run(copy, "--check");

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

describe("a new domain", () => {
  const widgetPaths = `/api/widgets:
  get:
    operationId: listWidgets
    tags:
      - Widgets
    summary: List widgets
    security: []
    responses:
      "200":
        description: The widgets.
        content:
          application/json:
            schema:
              $ref: ../components/schemas/widgets.yaml#/Widget
`;
  const widgetSchemas = "Widget:\n  type: object\n  additionalProperties: false\n";
  const addTag = (dir: string) => {
    const root = join(dir, "fluxra.yaml");
    writeFileSync(
      root,
      readFileSync(root, "utf8").replace(
        "\npaths:\n",
        "\n  - name: Widgets\n    description: Throwaway.\npaths:\n",
      ),
    );
  };

  it("is a tag, a paths file and a schemas file: the index and the bundle pick it up", () => {
    const dir = scratchCopy();
    addTag(dir);
    writeFileSync(join(dir, "paths", "widgets.yaml"), widgetPaths);
    writeFileSync(join(dir, "components", "schemas", "widgets.yaml"), widgetSchemas);
    const stale = run(dir, "--check");
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain("openapi/fluxra.yaml (its domain index)");

    const written = run(dir);
    expect(written.stderr).toBe("");
    expect(written.status).toBe(0);
    const bundle = JSON.parse(readFileSync(join(dir, "bundled", "fluxra.json"), "utf8"));
    expect(bundle.paths["/api/widgets"].get.operationId).toBe("listWidgets");
    expect(bundle.paths["/api/widgets"].get.responses["200"].content["application/json"]).toEqual({
      schema: { $ref: "#/components/schemas/Widget" },
    });
    expect(Object.keys(bundle.components.schemas).at(-1)).toBe("Widget");
    // The existing domains keep their order; the new one follows its tag.
    expect(Object.keys(bundle.paths).at(-1)).toBe("/api/widgets");
    expect(Object.keys(bundle.paths)[0]).toBe("/health");
    expect(run(dir, "--check").status).toBe(0);
  }, 60_000);

  it("without a tag is refused with the tag to add", () => {
    const dir = scratchCopy();
    writeFileSync(join(dir, "paths", "widgets.yaml"), widgetPaths);
    const refused = run(dir);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("paths/widgets.yaml has no tag in fluxra.yaml");
  }, 30_000);
});
