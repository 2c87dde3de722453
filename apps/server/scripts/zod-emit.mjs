// Turns the spec's JSON Schema subset into zod source (for @hono/zod-openapi), so the server
// validates with what the spec says and the OpenAPI document it serves is built from the same
// schemas. Each keyword becomes the zod check the hand-written schemas used, in the order the
// spec lists the keywords (the order of `details` in a 422 follows it).
//
// Keywords zod cannot check natively (`uniqueItems`, `minProperties`, `maxProperties` of open
// objects) are documented with `.openapi({...})` only; the component that carries one must have
// a check in a `checks.ts` (see `checksRequired`), so none goes unenforced.

const lit = (value) => JSON.stringify(value);

let components = {};
/** Sets the spec's `components.schemas`, which `oneOf` branches are looked up in. */
export function useComponents(schemas) {
  components = schemas;
}

/** `#/components/schemas/Name` → `Name`. */
export function refName(ref) {
  const m = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
  if (!m) throw new Error(`unsupported $ref ${ref}`);
  return m[1];
}

export const schemaVar = (name) => `${name}Schema`;

/** Keywords that only describe (never validate) and are dropped from the zod. */
const IGNORED = new Set(["description", "examples", "example", "title", "x-status-by-code"]);

/**
 * The zod source of `schema`. `where` is "component" (a named schema: `default` is documented,
 * not applied), "property" (defaults apply), or "query" (a query parameter: integers arrive as
 * decimal digits and are converted).
 */
export function zodOf(schema, where = "property") {
  const known = new Set([
    "$ref",
    "type",
    "enum",
    "pattern",
    "minLength",
    "maxLength",
    "format",
    "minimum",
    "maximum",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    "oneOf",
    "discriminator",
    "default",
  ]);
  for (const key of Object.keys(schema)) {
    if (!known.has(key) && !IGNORED.has(key) && !key.startsWith("x-")) {
      throw new Error(`unsupported JSON Schema keyword "${key}" in ${lit(schema).slice(0, 120)}`);
    }
  }
  const applyDefault = (src) =>
    schema.default !== undefined && where !== "component"
      ? `${src}.default(${lit(schema.default)})`
      : src;
  if (schema.$ref) return applyDefault(schemaVar(refName(schema.$ref)));
  if (schema.oneOf) return oneOf(schema);

  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const nullable = types.includes("null");
  const type = types.filter((t) => t !== "null");
  if (type.length !== 1) throw new Error(`unsupported type ${lit(schema.type)}`);
  const doc = {};
  let src;
  switch (type[0]) {
    case "string":
      src = stringOf(schema, doc);
      break;
    case "integer":
    case "number":
      if (where === "query") return queryNumber(schema);
      src = numberOf(schema, type[0], doc);
      break;
    case "boolean":
      src = "z.boolean()";
      break;
    case "array":
      src = arrayOf(schema, doc);
      break;
    case "object":
      src = objectOf(schema, doc);
      break;
    default:
      throw new Error(`unsupported type ${type[0]}`);
  }
  if (nullable) src += ".nullable()";
  if (schema.default !== undefined && where === "component") doc.default = schema.default;
  if (Object.keys(doc).length > 0) src += `.openapi(${lit(doc)})`;
  return applyDefault(src);
}

function stringOf(schema, doc) {
  if (schema.enum) return `z.enum(${lit(schema.enum)})`;
  let src = "z.string()";
  for (const key of Object.keys(schema)) {
    if (key === "pattern") {
      src += `.regex(new RegExp(${lit(schema.pattern)}))`;
      // RegExp#source escapes "/", so the document spells the pattern as the spec does.
      if (new RegExp(schema.pattern).source !== schema.pattern) doc.pattern = schema.pattern;
    } else if (key === "minLength") src += `.min(${schema.minLength})`;
    else if (key === "maxLength") src += `.max(${schema.maxLength})`;
    else if (key === "format") doc.format = schema.format;
  }
  return src;
}

function numberOf(schema, type, doc) {
  let src = type === "integer" ? "z.number().int()" : "z.number()";
  for (const key of Object.keys(schema)) {
    if (key === "minimum") src += `.min(${schema.minimum})`;
    else if (key === "maximum") src += `.max(${schema.maximum})`;
    else if (key === "format") doc.format = schema.format;
  }
  return src;
}

/**
 * An integer query parameter: decimal digits only (`Number()` would also take `0x10`, `1e1`,
 * ` 5`, "" → 0), then the spec's range; outside it → 422, never clamped.
 */
function queryNumber(schema) {
  const inner = numberOf(schema, schema.type, {});
  const doc = { type: schema.type };
  for (const key of ["format", "minimum", "maximum"]) {
    if (schema[key] !== undefined) doc[key] = schema[key];
  }
  const digits =
    '(value) => (typeof value === "string" && /^[0-9]{1,6}$/.test(value) ? Number(value) : value)';
  let src = `z.preprocess(${digits}, ${inner})`;
  if (schema.default !== undefined) src += `.default(${lit(schema.default)})`;
  return `${src}.openapi(${lit(doc)})`;
}

function arrayOf(schema, doc) {
  let src = `z.array(${zodOf(schema.items)})`;
  for (const key of Object.keys(schema)) {
    if (key === "minItems") src += `.min(${schema.minItems})`;
    else if (key === "maxItems") src += `.max(${schema.maxItems})`;
    else if (key === "uniqueItems" && schema.uniqueItems) doc.uniqueItems = true;
  }
  return src;
}

function objectOf(schema, doc) {
  const props = schema.properties ?? {};
  const closed = schema.additionalProperties === false;
  if (Object.keys(props).length === 0 && !closed) {
    if (schema.maxProperties !== undefined) doc.maxProperties = schema.maxProperties;
    return "z.record(z.string(), z.unknown())";
  }
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(props).map(([name, prop]) => {
    const optional = !required.has(name) && prop.default === undefined;
    return `${lit(name)}: ${zodOf(prop)}${optional ? ".optional()" : ""}`;
  });
  if (schema.minProperties !== undefined) doc.minProperties = schema.minProperties;
  // A closed object without properties takes none: `.strict()` already says maxProperties 0.
  if (schema.maxProperties !== undefined) doc.maxProperties = schema.maxProperties;
  return `z.object({ ${fields.join(", ")} })${closed ? ".strict()" : ""}`;
}

/**
 * `oneOf`: a discriminated union when the spec names a discriminator, or when every branch is a
 * referenced object whose `type` is a required enum (the spec's event families); otherwise a
 * union (with `null`: a nullable reference, which must not make the component itself nullable).
 */
function oneOf(schema) {
  const branches = schema.oneOf.map((b) => (b.type === "null" ? "z.null()" : zodOf(b)));
  const key = schema.discriminator?.propertyName ?? commonTag(schema.oneOf);
  if (key) return `z.discriminatedUnion(${lit(key)}, [${branches.join(", ")}])`;
  return `z.union([${branches.join(", ")}])`;
}

/** `type` when every branch is a referenced object with a required enum `type`, else undefined. */
function commonTag(branches) {
  const tagged = branches.every((b) => {
    const target = b.$ref ? components[refName(b.$ref)] : undefined;
    return target?.required?.includes("type") && Array.isArray(target.properties?.type?.enum);
  });
  return tagged ? "type" : undefined;
}

/** Why `schema` needs a hand-written check, or undefined: keywords zod does not enforce here. */
export function needsCheck(schema) {
  const reasons = [];
  if (schema.uniqueItems) reasons.push("uniqueItems");
  if (schema.minProperties !== undefined) reasons.push("minProperties");
  const open = schema.additionalProperties !== false;
  if (schema.maxProperties !== undefined && open) reasons.push("maxProperties");
  return reasons.length > 0 ? reasons : undefined;
}

/** The component names `schema` refers to (for ordering declarations). */
export function refsOf(schema, out = new Set()) {
  if (Array.isArray(schema)) {
    for (const s of schema) refsOf(s, out);
  } else if (schema && typeof schema === "object") {
    for (const [key, value] of Object.entries(schema)) {
      if (key === "$ref" && typeof value === "string") {
        if (value.startsWith("#/components/schemas/")) out.add(refName(value));
      } else if (key === "headers") continue;
      else if (key !== "examples" && key !== "example" && key !== "discriminator")
        refsOf(value, out);
    }
  }
  return out;
}
