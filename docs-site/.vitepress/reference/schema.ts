import { deref, refName } from "./spec.js";
import { cell, code, schemaLink } from "./text.js";
import type { OpenApiDocument, Schema } from "./types.js";

/** One row of a field table. */
export interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/**
 * Merges `allOf` members into one object schema (how `OwnAgent` extends `Agent`), following refs.
 * Only properties, required and additionalProperties are merged: that is what the tables show.
 */
export function flatten(doc: OpenApiDocument, schema: Schema): Schema {
  const resolved = deref(doc, schema);
  if (!resolved.allOf) return resolved;
  const merged: Schema = {
    ...resolved,
    properties: { ...resolved.properties },
    required: [...(resolved.required ?? [])],
  };
  delete merged.allOf;
  for (const part of resolved.allOf) {
    const flat = flatten(doc, part);
    Object.assign(merged.properties ?? {}, flat.properties);
    merged.required?.push(...(flat.required ?? []));
    if (flat.additionalProperties === false) merged.additionalProperties = false;
    if (!merged.type && flat.type) merged.type = flat.type;
    if (!merged.description && flat.description) merged.description = flat.description;
  }
  return merged;
}

/** A short type label such as `string (date-time) | null`, linking named schemas. */
export function typeLabel(doc: OpenApiDocument, schema: Schema): string {
  if (schema.$ref) return schemaLink(refName(schema.$ref));
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) return variants.map((v) => typeLabel(doc, v)).join(" or ");
  if (schema.allOf) {
    const named = schema.allOf.filter((s) => s.$ref);
    if (named.length > 0) return named.map((s) => typeLabel(doc, s)).join(" + ");
    return "object";
  }
  if (schema.const !== undefined) return code(JSON.stringify(schema.const));
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const labels = types.map((t) => {
    if (t === "array") return `${schema.items ? typeLabel(doc, schema.items) : "any"}[]`;
    if (t === "string" && schema.format) return `string (${schema.format})`;
    return t;
  });
  return labels.length > 0 ? labels.join(" or ") : "any";
}

/** Human-readable constraints of a schema, as the rules a caller must respect. */
export function constraints(schema: Schema): string[] {
  const out: string[] = [];
  const range = (min?: number, max?: number, unit = "") => {
    if (min !== undefined && min === max) return `exactly ${min}${unit}`;
    if (min !== undefined && max !== undefined) return `${min}–${max}${unit}`;
    if (min !== undefined) return `at least ${min}${unit}`;
    if (max !== undefined) return `at most ${max}${unit}`;
    return undefined;
  };
  const length = range(schema.minLength, schema.maxLength, " characters");
  if (length) out.push(`Length ${length}.`);
  const value = range(schema.minimum, schema.maximum);
  if (value) out.push(`Value ${value}.`);
  const items = range(schema.minItems, schema.maxItems, " items");
  if (items) out.push(`${items[0]?.toUpperCase()}${items.slice(1)}.`);
  if (schema.uniqueItems) out.push("Items are unique.");
  if (schema.pattern) out.push(`Pattern ${code(schema.pattern)}.`);
  if (schema.enum)
    out.push(`One of ${schema.enum.map((v) => code(JSON.stringify(v))).join(", ")}.`);
  if (schema.default !== undefined) out.push(`Default ${code(JSON.stringify(schema.default))}.`);
  if (schema.readOnly) out.push("Read-only.");
  if (schema.deprecated) out.push("Deprecated.");
  return out;
}

/** Description plus constraints of one field, for a table cell. */
export function describe(schema: Schema): string {
  const parts = [cell(schema.description), ...constraints(schema)].filter(Boolean);
  return parts.join(" ");
}

/**
 * A field that names a scalar helper schema (`MessageContent`, `ConversationId`…) is shown with
 * that schema's type, rules and description inline, plus a link; objects stay links only.
 */
export function fieldView(
  doc: OpenApiDocument,
  schema: Schema,
): { type: string; description: string } {
  if (!schema.$ref) return { type: typeLabel(doc, schema), description: describe(schema) };
  const target = flatten(doc, schema);
  const isObject = Boolean(
    target.properties || target.oneOf || target.anyOf || target.type === "object",
  );
  if (isObject) return { type: typeLabel(doc, schema), description: cell(schema.description) };
  const own = cell(schema.description);
  return {
    type: `${typeLabel(doc, target)} (${typeLabel(doc, schema)})`,
    description: [own || cell(target.description), ...constraints(target)]
      .filter(Boolean)
      .join(" "),
  };
}

/**
 * The field rows of an object schema. Named schemas are linked, not expanded; inline objects
 * (and arrays of inline objects) are expanded with dotted names, so every field is listed once.
 */
export function fieldRows(
  doc: OpenApiDocument,
  schema: Schema,
  prefix = "",
  depth = 0,
): FieldRow[] {
  const flat = flatten(doc, schema);
  const rows: FieldRow[] = [];
  const required = new Set(flat.required ?? []);
  for (const [name, prop] of Object.entries(flat.properties ?? {})) {
    const full = `${prefix}${name}`;
    rows.push({ name: full, required: required.has(name), ...fieldView(doc, prop) });
    if (depth >= 3 || prop.$ref) continue;
    if (isInlineObject(prop)) rows.push(...fieldRows(doc, prop, `${full}.`, depth + 1));
    else if (prop.items && !prop.items.$ref && isInlineObject(prop.items)) {
      rows.push(...fieldRows(doc, prop.items, `${full}[].`, depth + 1));
    }
  }
  return rows;
}

function isInlineObject(schema: Schema): boolean {
  return Boolean(schema.properties || schema.allOf?.some((s) => !s.$ref));
}
