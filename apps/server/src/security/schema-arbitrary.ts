/**
 * A small JSON Schema (2020-12, as the spec uses it) → fast-check arbitrary generator, plus
 * mutations that turn a valid value into an invalid one. Covers the keywords the bundled spec
 * uses: $ref, oneOf/anyOf, enum, type (incl. arrays for nullable), properties/required/
 * additionalProperties, min/maxProperties, min/maxLength, pattern, format, minimum/maximum,
 * items/min/maxItems/uniqueItems.
 */
import fc from "fast-check";
import { deref, type OpenApiDocument } from "../testing/spec.js";

type Schema = Record<string, unknown>;
type Arb = fc.Arbitrary<unknown>;

/** Any JSON value, small and nested a little; used for free-form objects and junk. */
export const anyJson: Arb = fc.jsonValue({ maxDepth: 3 });

/** Strings from every corner of Unicode (lone surrogates, NUL, RTL marks, emoji). */
const wildString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", " ", "\u0000", "\u202e", "😀", "../../etc/passwd", "' OR 1=1 --", "%00"),
);

const ts = fc
  .date({
    min: new Date("2000-01-01T00:00:00Z"),
    max: new Date("2100-01-01T00:00:00Z"),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());

function stringArb(s: Schema): Arb {
  const min = (s["minLength"] as number | undefined) ?? 0;
  const max = Math.min((s["maxLength"] as number | undefined) ?? 60, 200);
  if (s["format"] === "date-time") return ts;
  if (s["format"] === "uri")
    return fc.constantFrom("https://cdn.example.com/a.png", "https://x.io/");
  const pattern = s["pattern"] as string | undefined;
  if (pattern) {
    const re = new RegExp(pattern, "u");
    return fc.stringMatching(re).filter((v) => [...v].length >= min && [...v].length <= max);
  }
  // Mostly printable text; sometimes any code unit (NUL, lone surrogates: PostgreSQL cannot
  // store U+0000 in text, SQLite mangles lone surrogates).
  return fc.oneof(
    { weight: 9, arbitrary: fc.string({ minLength: min, maxLength: max, unit: "grapheme" }) },
    {
      weight: 1,
      arbitrary: fc.string({ minLength: Math.max(min, 1), maxLength: max, unit: "binary" }),
    },
  );
}

/** An arbitrary producing values valid for `schema` (as far as JSON Schema can say). */
export function validArb(doc: OpenApiDocument, schema: unknown, depth = 0): Arb {
  const s = deref<Schema>(doc, schema);
  const branches = (s["oneOf"] ?? s["anyOf"]) as unknown[] | undefined;
  if (branches) return fc.oneof(...branches.map((b) => validArb(doc, b, depth + 1)));
  if (Array.isArray(s["enum"])) return fc.constantFrom(...(s["enum"] as unknown[]));
  if ("const" in s) return fc.constant(s["const"]);
  const types = [s["type"] ?? "object"].flat() as string[];
  if (types.length > 1) {
    return fc.oneof(...types.map((type) => validArb(doc, { ...s, type }, depth + 1)));
  }
  switch (types[0]) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
    case "number":
      return fc.integer({
        min: (s["minimum"] as number | undefined) ?? -1000,
        max: (s["maximum"] as number | undefined) ?? 1000,
      });
    case "string":
      return stringArb(s);
    case "array": {
      const items = validArb(doc, s["items"] ?? {}, depth + 1);
      const constraints = {
        minLength: (s["minItems"] as number | undefined) ?? 0,
        maxLength: Math.min((s["maxItems"] as number | undefined) ?? 5, 5),
      };
      return s["uniqueItems"]
        ? fc.uniqueArray(items, { ...constraints, selector: (v) => JSON.stringify(v) })
        : fc.array(items, constraints);
    }
    default:
      return objectArb(doc, s, depth);
  }
}

function objectArb(doc: OpenApiDocument, s: Schema, depth: number): Arb {
  const properties = s["properties"] as Record<string, unknown> | undefined;
  if (!properties) {
    // Free-form (metadata): a few keys of any JSON.
    return fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), anyJson, { maxKeys: 4 });
  }
  const required = (s["required"] as string[] | undefined) ?? [];
  const minProperties = (s["minProperties"] as number | undefined) ?? 0;
  const shape = Object.fromEntries(
    Object.entries(properties).map(([k, v]) => [k, validArb(doc, v, depth + 1)]),
  );
  return fc
    .record(shape, { requiredKeys: required })
    .filter((v) => Object.keys(v as object).length >= minProperties);
}

/** Turns a valid value into one that should fail validation (or be junk altogether). */
export function mutate(doc: OpenApiDocument, schema: unknown, valid: Arb): Arb {
  const s = deref<Schema>(doc, schema);
  const required = (s["required"] as string[] | undefined) ?? [];
  const keys = Object.keys((s["properties"] as object | undefined) ?? {});
  const asObject = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? v : {});
  return fc.oneof(
    // An unknown field (snake_case like a real one, or something odd).
    fc
      .tuple(
        valid,
        fc.oneof(
          fc.constantFrom("id", "admin", "__proto__", "constructor"),
          fc.string({ minLength: 1, maxLength: 12 }),
        ),
        anyJson,
      )
      .map(([v, k, x]) => ({ ...asObject(v), [k]: x })),
    // A required field missing.
    ...(required.length > 0
      ? [
          fc.tuple(valid, fc.constantFrom(...required)).map(([v, k]) => {
            const copy = { ...asObject(v) } as Record<string, unknown>;
            delete copy[k];
            return copy;
          }),
        ]
      : []),
    // A known field with a value of the wrong type or size.
    ...(keys.length > 0
      ? [
          fc
            .tuple(
              valid,
              fc.constantFrom(...keys),
              fc.oneof(
                anyJson,
                wildString,
                fc.constant("x".repeat(9000)),
                fc.constant(Array.from({ length: 120 }, (_, i) => `agt_${i}`)),
                fc.integer(),
                fc.double(),
              ),
            )
            .map(([v, k, x]) => ({ ...asObject(v), [k]: x })),
        ]
      : []),
    // Not an object at all.
    anyJson,
  );
}

/** Raw body text that is not what the operation expects: broken JSON, other encodings, junk. */
export const junkBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    "{",
    "}",
    "[]",
    "null",
    "nul",
    '{"a":',
    '{"a":1}}',
    "\u0000",
    "{}{}",
    "1e309",
    '"x"',
  ),
  fc.string({ maxLength: 100 }),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  // Deep nesting: parsers that recurse may fall over.
  fc.integer({ min: 100, max: 5000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
  fc.integer({ min: 100, max: 3000 }).map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
);

/** Printable-ASCII header values (the only kind a Fetch `Headers` accepts) and a few wild ones. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc
    .string({ minLength: 1, maxLength: 300 })
    .filter((v) => /^[\x20-\x7e]+$/.test(v) && v.trim() === v),
  fc.constantFrom("x", "a".repeat(255), "a".repeat(256), "req_abc", "a b", "caf\u00e9"),
);
