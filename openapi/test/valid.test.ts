import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { packageRoot, spec } from "./spec.js";

/**
 * Loads a package that is installed only as a dependency of one of ours (pnpm keeps it out of
 * our own node_modules): @redocly/openapi-core comes with openapi-typescript, the official
 * OpenAPI 3.1 JSON Schema with Spectral's rulesets.
 */
function requireVia(owner: string): NodeJS.Require {
  return createRequire(realpathSync(join(packageRoot, "node_modules", owner, "package.json")));
}

interface Problem {
  readonly ruleId: string;
  readonly severity: string;
  readonly message: string;
}
interface RedoclyCore {
  createConfig(raw: object): Promise<unknown>;
  lint(options: { ref: string; config: unknown }): Promise<Problem[]>;
}

const core = requireVia("openapi-typescript")("@redocly/openapi-core") as RedoclyCore;
const bundlePath = join(packageRoot, "bundled", "fluxra.json");

/** Structural and reference rules: what makes a document valid OpenAPI 3.1, not style. */
const validity = {
  rules: {
    struct: "error",
    "no-unresolved-refs": "error",
    "spec-components-invalid-map-name": "error",
    "path-params-defined": "error",
    "security-defined": "error",
    "operation-operationId-unique": "error",
    "operation-parameters-unique": "error",
    "no-identical-paths": "error",
    "no-ambiguous-paths": "error",
    "no-enum-type-mismatch": "error",
    "no-invalid-media-type-examples": { severity: "error", allowAdditionalProperties: false },
    "no-invalid-parameter-examples": { severity: "error", allowAdditionalProperties: false },
    "no-invalid-schema-examples": { severity: "error", allowAdditionalProperties: false },
  },
};

/** The official OpenAPI 3.1 schema, compiled with its dialect and meta-schema. */
function officialValidator(): ReturnType<Ajv2020["compile"]> {
  const rulesets = dirname(
    requireVia("@stoplight/spectral-cli").resolve("@stoplight/spectral-rulesets"),
  );
  const dir = join(rulesets, "oas", "schemas", "oas", "v3.1");
  const load = (name: string): object => JSON.parse(readFileSync(join(dir, name), "utf8"));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  formats.default(ajv);
  // Spectral's copy names the 2020-12 meta-schema by a Stoplight alias; point it at the original.
  ajv.addSchema({
    $id: "https://stoplight.io/json-schema/draft/2020-12",
    $ref: "https://json-schema.org/draft/2020-12/schema",
  });
  ajv.addSchema(load("meta.schema.json"));
  ajv.addSchema(load("dialect.schema.json"));
  return ajv.compile(load("index.json"));
}

describe("the bundle", () => {
  it("is an OpenAPI 3.1 document of version 0.4.0", () => {
    expect(spec.openapi).toMatch(/^3\.1\.\d+$/);
    expect((spec.info as { version: string }).version).toBe("0.4.0");
  });

  it("passes @redocly/openapi-core's structural lint with no problem at all", async () => {
    const problems = await core.lint({
      ref: bundlePath,
      config: await core.createConfig(validity),
    });
    expect(problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    // Linting the whole bundle takes 1-2 s alone and over 5 s on a busy shared machine.
  }, 30_000);

  it("would fail that lint if it were broken", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fluxra-spec-"));
    try {
      const broken = join(dir, "broken.json");
      const { info: _dropped, ...withoutInfo } = spec;
      const dangling = { responses: { "200": { $ref: "#/components/responses/Nope" } } };
      writeFileSync(broken, JSON.stringify({ ...withoutInfo, paths: { "/x": { get: dangling } } }));
      const problems = await core.lint({ ref: broken, config: await core.createConfig(validity) });
      expect(problems.map((p) => p.ruleId).sort()).toEqual(["no-unresolved-refs", "struct"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("validates against the official OpenAPI 3.1 JSON Schema (ajv 2020)", () => {
    const validate = officialValidator();
    expect(validate(spec) ? [] : validate.errors).toEqual([]);
  });

  it("would be refused by that schema if it were broken", () => {
    const validate = officialValidator();
    const { info: _dropped, ...withoutInfo } = spec;
    expect(validate(withoutInfo)).toBe(false);
    expect(validate({ ...spec, paths: { "/x": { get: { responses: { "200": {} } } } } })).toBe(
      false,
    );
    const components = { ...(spec.components as object), schemas: { Broken: { type: 5 } } };
    expect(validate({ ...spec, components })).toBe(false);
  });

  it("has the same document in YAML and JSON, with only local references", () => {
    const yaml = parse(readFileSync(join(packageRoot, "bundled", "fluxra.yaml"), "utf8"));
    expect(yaml).toEqual(spec);
    const refs = JSON.stringify(spec).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.length).toBeGreaterThan(100);
    expect(refs.filter((r) => !r.startsWith('"$ref":"#/components/'))).toEqual([]);
  });
});
