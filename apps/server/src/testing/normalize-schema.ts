import { deref } from "./spec.js";

type Schema = Record<string, unknown>;

/** Annotations that never change what a schema accepts. */
const ignoredKeys = new Set([
  "description",
  "examples",
  "example",
  "title",
  "summary",
  "externalDocs",
  "$comment",
  "deprecated",
  "discriminator",
]);

const isObject = (v: unknown): v is Schema =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Rewrites a JSON Schema into one canonical spelling so that two schemas accepting the same
 * documents compare equal: `$ref`s are inlined, annotations dropped, nullability expressed one
 * way (`nullable: true` beside the non-null type, whether written as a type array, an
 * `anyOf`/`oneOf` with `{type: "null"}`, or `null` in an `enum`), `const` → `enum`, `allOf`
 * merged, defaults that change nothing (`additionalProperties: true`, empty `properties`,
 * `uniqueItems: false`) removed, and `required`/`type` sets sorted.
 */
export function normalizeSchema(doc: unknown, schema: unknown, seen: string[] = []): unknown {
  if (!isObject(schema)) return schema;
  if (typeof schema["$ref"] === "string") {
    const ref = schema["$ref"];
    if (seen.includes(ref)) return { $recursive: ref.split("/").pop() };
    return normalizeSchema(doc, deref(doc, schema), [...seen, ref]);
  }
  let out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ignoredKeys.has(key) || key.startsWith("x-")) continue;
    out[key] = value;
  }
  let nullable = false;

  if (Array.isArray(out["allOf"])) {
    const parts = (out["allOf"] as unknown[]).map((s) => normalizeSchema(doc, s, seen) as Schema);
    delete out["allOf"];
    for (const part of parts) out = mergeSchemas(out, part);
  }

  for (const key of ["anyOf", "oneOf"]) {
    if (!Array.isArray(out[key])) continue;
    let branches = (out[key] as unknown[]).map((s) => normalizeSchema(doc, s, seen) as Schema);
    const nonNull = branches.filter((b) => !(b["type"] === "null" && Object.keys(b).length === 1));
    if (nonNull.length < branches.length) nullable = true;
    branches = nonNull.map((b) => {
      if (b["nullable"]) nullable = true;
      const { nullable: _drop, ...rest } = b;
      return rest;
    });
    delete out[key];
    if (branches.length === 1) out = mergeSchemas(out, branches[0] as Schema);
    else out[key] = branches;
  }

  if ("const" in out) {
    out["enum"] = [out["const"]];
    delete out["const"];
  }
  if (Array.isArray(out["type"])) {
    const types = (out["type"] as string[]).filter((t) => t !== "null");
    if (types.length < (out["type"] as string[]).length) nullable = true;
    out["type"] = types.length === 1 ? types[0] : [...types].sort();
  }
  if (Array.isArray(out["enum"])) {
    const values = (out["enum"] as unknown[]).filter((v) => v !== null);
    if (values.length < (out["enum"] as unknown[]).length) nullable = true;
    out["enum"] = values;
  }
  if (out["nullable"] === true) nullable = true;
  delete out["nullable"];

  if (isObject(out["properties"])) {
    const props: Schema = {};
    for (const name of Object.keys(out["properties"] as Schema).sort()) {
      props[name] = normalizeSchema(doc, (out["properties"] as Schema)[name], seen);
    }
    out["properties"] = props;
    if (Object.keys(props).length === 0) delete out["properties"];
  }
  if (out["additionalProperties"] === true || isEmptyObject(out["additionalProperties"])) {
    delete out["additionalProperties"];
  } else if (isObject(out["additionalProperties"])) {
    out["additionalProperties"] = normalizeSchema(doc, out["additionalProperties"], seen);
  }
  for (const key of ["items", "not", "contains", "propertyNames"]) {
    if (isObject(out[key])) out[key] = normalizeSchema(doc, out[key], seen);
  }
  if (Array.isArray(out["prefixItems"])) {
    out["prefixItems"] = (out["prefixItems"] as unknown[]).map((s) =>
      normalizeSchema(doc, s, seen),
    );
  }
  if (Array.isArray(out["required"])) {
    out["required"] = [...new Set(out["required"] as string[])].sort();
    if ((out["required"] as string[]).length === 0) delete out["required"];
  }
  if (out["uniqueItems"] === false) delete out["uniqueItems"];
  if (nullable) out["nullable"] = true;
  return sortKeys(out);
}

function isEmptyObject(v: unknown): boolean {
  return isObject(v) && Object.keys(v).length === 0;
}

/** Merges two object schemas (as `allOf` would): properties and `required` combine. */
function mergeSchemas(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a, ...b };
  if (isObject(a["properties"]) || isObject(b["properties"])) {
    out["properties"] = {
      ...(a["properties"] as Schema | undefined),
      ...(b["properties"] as Schema | undefined),
    };
  }
  if (Array.isArray(a["required"]) || Array.isArray(b["required"])) {
    out["required"] = [
      ...((a["required"] as string[] | undefined) ?? []),
      ...((b["required"] as string[] | undefined) ?? []),
    ];
  }
  return out;
}

function sortKeys(value: Schema): Schema {
  const out: Schema = {};
  for (const key of Object.keys(value).sort()) out[key] = value[key];
  return out;
}
