import type { z } from "@hono/zod-openapi";
import { jsonValueDepth } from "./json-walk.js";

/**
 * What the spec says but zod cannot check from its keywords (or says in prose: display-text
 * rules, metadata size), applied to the generated component schemas (generated/schemas.ts).
 * Each `checks.ts` (this one for the common components, one per domain folder) exports
 * `checks`, keyed by component name; the generator finds the files, and a component whose
 * keywords need a check (`ChecksRequired`) without one does not compile.
 */

/** The scalar keywords of the component (`maxLength`, `minProperties`…), as the spec gives them. */
export type SchemaKeywords = Record<string, string | number | boolean | null>;

/** Adds refinements to the generated schema of one component (or, rarely, replaces it). */
export type SchemaCheck = (schema: z.ZodType, keywords: SchemaKeywords) => z.ZodType;

/**
 * The plain form of a check, for the precompiled body validators (generated/validators.ts): given
 * a value whose structure already passed the component's keywords, true when the zod check would
 * accept it too. Answering false (or having none) hands the value to the zod schema, which then
 * gives the details; so a plain check decides only acceptance, never a message.
 */
export type PlainCheck = (value: unknown) => boolean;

/** The checks one `checks.ts` contributes, by component name. */
export type SchemaChecks = Record<string, SchemaCheck>;

/** `keywords[name]` as a number (the generator hands it over from the spec). */
export function limit(keywords: SchemaKeywords, name: string): number {
  const value = keywords[name];
  if (typeof value !== "number") throw new Error(`the spec gives no ${name} here`);
  return value;
}

/** Serialized size limit of `metadata` objects (UTF-8 bytes of compact JSON); the spec's prose. */
export const metadataMaxBytes = 4096;

/** How deep `metadata` may nest: the object itself is level 1, each object or array inside one more. */
export const metadataMaxDepth = 32;

type Metadata = Record<string, unknown> | null;

// Depth first: it is measured without recursion, and bounds the recursive JSON.stringify after it.
const metadataShallow = (value: Metadata) =>
  value === null || jsonValueDepth(value, metadataMaxDepth) <= metadataMaxDepth;
const metadataFits = (value: Metadata) =>
  value === null || Buffer.byteLength(JSON.stringify(value), "utf8") <= metadataMaxBytes;
const depthMessage = { message: `Must nest at most ${metadataMaxDepth} levels deep.` };
const metadataMessage = { message: `Must be at most ${metadataMaxBytes} bytes serialized.` };

/** Free-form client object, ≤ 4 KiB serialized, nested ≤ 32 levels (this bounds maxProperties). */
const metadata: SchemaCheck = (schema) =>
  (schema as z.ZodType<Metadata>)
    .refine(metadataShallow, { ...depthMessage, abort: true })
    .refine(metadataFits, metadataMessage);

/** At least `minProperties` fields, with the component's own message. */
export function minProperties(message: string): SchemaCheck {
  return (schema, keywords) => {
    const min = limit(keywords, "minProperties");
    return (schema as z.ZodType<object>).refine((body) => Object.keys(body).length >= min, {
      message,
    });
  };
}

export const checks = {
  Metadata: metadata,
  NullableMetadata: metadata,
} satisfies SchemaChecks;

const metadataPasses: PlainCheck = (value) =>
  metadataShallow(value as Metadata) && metadataFits(value as Metadata);

/** The plain forms of {@link checks} (see {@link PlainCheck}). */
export const plainChecks = {
  Metadata: metadataPasses,
  NullableMetadata: metadataPasses,
} satisfies Partial<Record<keyof typeof checks, PlainCheck>>;
