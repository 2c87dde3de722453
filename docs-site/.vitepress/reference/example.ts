import { flatten } from "./schema.js";
import { deref } from "./spec.js";
import type { MediaType, OpenApiDocument, Schema } from "./types.js";

/** A titled example value. */
export interface Example {
  title: string;
  value: unknown;
}

/**
 * The examples of a body: the spec's own `example`/`examples` first; only when it has none is
 * one synthesized from the schema, so the page never shows an empty body.
 */
export function mediaExamples(doc: OpenApiDocument, media: MediaType): Example[] {
  if (media.example !== undefined) return [{ title: "", value: media.example }];
  if (media.examples) {
    return Object.entries(media.examples).map(([key, raw]) => {
      const example = deref(doc, raw);
      return { title: example.summary ?? key, value: example.value };
    });
  }
  if (!media.schema) return [];
  return [{ title: "", value: exampleFromSchema(doc, media.schema) }];
}

const FORMAT_SAMPLES: Record<string, string> = {
  "date-time": "2026-04-03T20:00:00.000Z",
  uri: "https://example.com/avatar.png",
  email: "agent@example.com",
};

/** Builds a plausible value from a schema, preferring the spec's own examples and defaults. */
export function exampleFromSchema(doc: OpenApiDocument, schema: Schema, depth = 0): unknown {
  const resolved = deref(doc, schema);
  if (resolved.example !== undefined) return resolved.example;
  if (resolved.examples?.length) return resolved.examples[0];
  if (resolved.const !== undefined) return resolved.const;
  if (resolved.default !== undefined) return resolved.default;
  if (resolved.enum?.length) return resolved.enum[0];
  const variant = resolved.oneOf?.[0] ?? resolved.anyOf?.[0];
  if (variant) return exampleFromSchema(doc, variant, depth + 1);
  const flat = resolved.allOf ? flatten(doc, resolved) : resolved;
  const types = Array.isArray(flat.type)
    ? flat.type
    : [flat.type ?? (flat.properties ? "object" : "string")];
  const type = types.find((t) => t !== "null") ?? "null";
  if (depth > 6) return type === "array" ? [] : null;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(flat.properties ?? {})) {
        out[name] = exampleFromSchema(doc, prop, depth + 1);
      }
      return out;
    }
    case "array":
      return flat.items ? [exampleFromSchema(doc, flat.items, depth + 1)] : [];
    case "integer":
    case "number":
      return flat.minimum ?? 1;
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return (flat.format && FORMAT_SAMPLES[flat.format]) ?? "string";
  }
}

/** Every `error.code` named by a response's examples, in order of appearance, without repeats. */
export function errorCodes(doc: OpenApiDocument, media: MediaType | undefined): string[] {
  if (!media) return [];
  const codes = new Set<string>();
  const values = [
    media.example,
    ...Object.values(media.examples ?? {}).map((e) => deref(doc, e).value),
  ];
  for (const value of values) {
    const codeValue = (value as { error?: { code?: unknown } } | undefined)?.error?.code;
    if (typeof codeValue === "string") codes.add(codeValue);
  }
  for (const codeValue of schemaCodes(doc, media.schema)) codes.add(codeValue);
  return [...codes];
}

/** Codes an error schema narrows `error.code` to (`enum` or `const`), when the spec does so inline. */
function schemaCodes(doc: OpenApiDocument, schema: Schema | undefined): string[] {
  if (!schema || schema.$ref) return [];
  const body = flatten(doc, schema).properties?.error;
  if (!body || body.$ref) return [];
  const codeSchema = flatten(doc, body).properties?.code;
  if (!codeSchema || codeSchema.$ref) return [];
  if (codeSchema.const !== undefined) return [String(codeSchema.const)];
  return (codeSchema.enum ?? []).map(String);
}
