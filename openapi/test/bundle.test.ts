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

/** The tags of the bundle under `dir`. */
const tagsOf = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, "bundled", "fluxra.json"), "utf8")).tags as Array<{
    name: string;
  }>) ?? [];

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
  const widgetTag =
    "x-tag:\n  name: Widgets\n  description: Throwaway.\n  x-fluxra-preview: true\n";
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
  it("is a paths file (with its x-tag) and a schemas file: the index and the bundle pick it up", () => {
    const dir = scratchCopy();
    const before = tagsOf(dir);
    const rootBefore = readFileSync(join(dir, "fluxra.yaml"), "utf8");
    writeFileSync(join(dir, "paths", "widgets.yaml"), `# Widgets.\n${widgetTag}${widgetPaths}`);
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
    expect(bundle.paths["x-tag"]).toBeUndefined();
    expect(Object.keys(bundle.components.schemas).at(-1)).toBe("Widget");
    // The existing tags keep their order and text; the new one is appended from its x-tag.
    expect(bundle.tags).toEqual([
      ...before,
      { name: "Widgets", description: "Throwaway.", "x-fluxra-preview": true },
    ]);
    expect(Object.keys(bundle.paths).at(-1)).toBe("/api/widgets");
    expect(Object.keys(bundle.paths)[0]).toBe("/health");
    // fluxra.yaml changed only in its index: the tag, the path and the schema references.
    // Each block sits in its section (after the first marker, before the second).
    const blocks = [
      [
        "\ntags:\n",
        "  - name: Widgets\n    description: Throwaway.\n    x-fluxra-preview: true\n",
        "\npaths:\n",
      ],
      [
        "\npaths:\n",
        "  /api/widgets:\n    $ref: paths/widgets.yaml#/~1api~1widgets\n",
        "\ncomponents:\n",
      ],
      ["\n  schemas:\n", "    Widget:\n      $ref: components/schemas/widgets.yaml#/Widget\n", ""],
    ] as const;
    let rootAfter = readFileSync(join(dir, "fluxra.yaml"), "utf8");
    for (const [after, block, before] of blocks) {
      const at = rootAfter.indexOf(block);
      expect(at).toBeGreaterThan(rootAfter.indexOf(after));
      if (before) expect(at).toBeLessThan(rootAfter.indexOf(before));
      rootAfter = rootAfter.replace(block, "");
    }
    expect(rootAfter).toBe(rootBefore);
    expect(run(dir, "--check").status).toBe(0);
  }, 60_000);

  it("without an x-tag is refused with the tag to add", () => {
    const dir = scratchCopy();
    writeFileSync(join(dir, "paths", "widgets.yaml"), widgetPaths);
    const refused = run(dir);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('paths/widgets.yaml has no x-tag named "widgets"');
    expect(refused.stderr).toContain("x-tag:\n  name: Widgets");
    expect(readFileSync(join(dir, "fluxra.yaml"), "utf8")).toBe(
      readFileSync(join(packageRoot, "fluxra.yaml"), "utf8"),
    );
  }, 30_000);

  it("whose x-tag names another domain is refused", () => {
    const dir = scratchCopy();
    writeFileSync(
      join(dir, "paths", "widgets.yaml"),
      widgetTag.replace("Widgets", "Gadgets") + widgetPaths,
    );
    expect(run(dir).stderr).toContain('paths/widgets.yaml has no x-tag named "widgets"');
  }, 30_000);
});

describe("a domain's tag", () => {
  it("edited in its paths file makes --check flag fluxra.yaml until it is regenerated", () => {
    const dir = scratchCopy();
    const file = join(dir, "paths", "health.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "  description: Service health",
        "  x-fluxra-preview: true\n  description: Service health",
      ),
    );
    const stale = run(dir, "--check");
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain("openapi/fluxra.yaml (its domain index)");
    expect(run(dir).status).toBe(0);
    const root = readFileSync(join(dir, "fluxra.yaml"), "utf8");
    expect(root).toContain(
      "  - name: Health\n    x-fluxra-preview: true\n    description: Service",
    );
    expect(tagsOf(dir)[0]).toMatchObject({ name: "Health", "x-fluxra-preview": true });
    expect(tagsOf(dir).map((t) => t.name)).toEqual(tagsOf(packageRoot).map((t) => t.name));
    expect(run(dir, "--check").status).toBe(0);
  }, 60_000);
});
