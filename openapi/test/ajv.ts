/**
 * A strict ajv 2020 instance that knows every component schema of the bundle, so any schema of
 * the spec (inline or component) can be compiled with its `#/components/schemas/...` refs.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { type Json, obj, spec } from "./spec.js";

const base = "https://fluxra.invalid/schemas/";

/** Rewrites local component refs to the ids the component schemas are registered under. */
function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === "$ref" && typeof value === "string"
        ? value.replace("#/components/schemas/", base)
        : key === "mapping"
          ? value
          : rewrite(value),
    ]),
  );
}

/** Builds the validator factory. OpenAPI-only keywords are declared as annotations. */
function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  formats.default(ajv);
  ajv.addKeyword({ keyword: "discriminator", schemaType: "object" });
  // The spec's own annotation on ErrorCode: the status each code travels with.
  ajv.addKeyword({ keyword: "x-status-by-code", schemaType: "object" });
  ajv.addFormat("int32", {
    type: "number",
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  for (const [name, schema] of Object.entries(obj(obj(spec.components).schemas))) {
    ajv.addSchema(obj(rewrite(schema)), `${base}${name}`);
  }
  return ajv;
}

const ajv = createAjv();
const cache = new Map<unknown, ValidateFunction>();

/** Compiles (once) a schema taken from the bundle. */
export function validator(schema: Json): ValidateFunction {
  const cached = cache.get(schema);
  if (cached !== undefined) return cached;
  const validate = ajv.compile(obj(rewrite(schema)));
  cache.set(schema, validate);
  return validate;
}

/** Validates `value` against `schema`, returning readable errors (empty when valid). */
export function problems(schema: Json, value: unknown): string[] {
  const validate = validator(schema);
  return validate(value)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}
