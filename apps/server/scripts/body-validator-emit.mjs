// Precompiled request BODY validators (issue 18): plain functions generated from the JSON schema
// of every operation's JSON request body, answering what the zod of schemas.ts answers (the same
// outcome, the same `validation_failed` details, the same parsed value), without zod for the
// common case. Proven on generated good and bad bodies by validators.test.ts.
//
// The rules zod applies are mirrored keyword by keyword, in the spec's keyword order (as
// zod-emit.mjs emits them): type first (a wrong type ends the node: zod's `invalid_type` aborts),
// then pattern/minLength/maxLength (all reported), array items then minItems/maxItems (skipped
// when an item had an aborting issue, as zod skips checks after one), object properties in the
// spec's order then unknown keys (in input order). Components that carry a hand-written check
// (a `checks.ts` entry: refinements, replaced schemas) are decided by the check's own zod schema
// whenever anything about them is wrong, so their details are zod's by construction; when the
// structure is right, a plain predicate of the same rule (`plainChecks`, next to the zod check)
// accepts it without zod. A checked component with no plain predicate, and a `oneOf`, always
// go through their zod schema.

const lit = (value) => JSON.stringify(value);

/** The keywords the precompiled checks handle (the rest go through zod: see `supported`). */
const KEYWORDS = new Set([
  "type",
  "enum",
  "pattern",
  "minLength",
  "maxLength",
  "format",
  "items",
  "minItems",
  "maxItems",
  "uniqueItems",
  "properties",
  "required",
  "additionalProperties",
  "minProperties",
  "maxProperties",
  "default",
  "description",
  "examples",
  "example",
  "title",
]);

/**
 * The body validators section of validators.ts: `{ imports, lines }`.
 * `ops`: `{ op, body }` for every operation with a JSON request body (body = the dereferenced
 * requestBody); `modules`: the `checks.ts` modules (`{ alias, path, plain }`, as schemas.ts
 * imports them; `plain` when the module exports `plainChecks`).
 */
export function bodyValidatorsSource({ ops, components, refName, schemaVar, modules }) {
  const fns = []; // emitted function sources
  const done = new Map(); // component name → function name
  let counter = 0;

  /** The function name validating `schema` (a component ref or an inline node). */
  function fnOf(schema) {
    if (schema.$ref) {
      const name = refName(schema.$ref);
      const fn = componentFn(name);
      if (schema.default === undefined) return fn;
      const wrapped = `d${counter++}`;
      fns.push(
        `const ${wrapped}: Node = (v, at, out) => (v === undefined ? ${lit(schema.default)} : ${fn}(v, at, out));`,
      );
      return wrapped;
    }
    const name = `n${counter++}`;
    const lines = nodeBody(schema); // first: it emits the functions this one calls
    fns.push(`function ${name}(v: unknown, at: string, out: Invalid[]): unknown {`);
    fns.push(...lines.map((l) => `  ${l}`), "}");
    return name;
  }

  function componentFn(name) {
    const existing = done.get(name);
    if (existing) return existing;
    const fn = `c_${name}`;
    done.set(name, fn);
    const schema = components[name];
    const structural = `s_${name}`;
    if (schema.oneOf || !supported(schema)) {
      fns.push(
        `// ${name}: ${schema.oneOf ? "oneOf" : "keywords without a precompiled check"}, decided by its zod schema.`,
        `const ${structural}: Node = (v, at, out) => viaZod(s.${schemaVar(name)}, v, at, out);`,
      );
    } else {
      // Component defaults are documented, not applied (as in zod-emit.mjs).
      const { default: _documented, ...rest } = schema;
      const lines = nodeBody(rest);
      fns.push(`function ${structural}(v: unknown, at: string, out: Invalid[]): unknown {`);
      fns.push(...lines.map((l) => `  ${l}`), "}");
    }
    fns.push(`const ${fn} = component(${lit(name)}, s.${schemaVar(name)}, ${structural});`, "");
    return fn;
  }

  /** The length checks of `schema` (minLength/maxLength, minItems/maxItems) in keyword order. */
  function lengthChecks(schema) {
    const out = [];
    for (const key of Object.keys(schema)) {
      if (key === "minLength" || key === "minItems")
        out.push(`tooSmall(out, at, v, ${schema[key]});`);
      if (key === "maxLength" || key === "maxItems")
        out.push(`tooBig(out, at, v, ${schema[key]});`);
    }
    return out;
  }

  /** Whether every inline node of `schema` has precompiled checks ($refs are decided apart). */
  function supported(schema) {
    if (schema.$ref) return true;
    if (schema.oneOf) return false;
    for (const key of Object.keys(schema)) {
      if (!KEYWORDS.has(key) && !key.startsWith("x-")) return false;
    }
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter(
      (t) => t !== "null",
    );
    if (types.length !== 1 || !["string", "boolean", "array", "object"].includes(types[0])) {
      return false;
    }
    if (schema.enum && types[0] !== "string") return false;
    return [
      ...Object.values(schema.properties ?? {}),
      ...(schema.items ? [schema.items] : []),
    ].every(supported);
  }

  /** The statements validating `v` against an inline `schema`; they return the parsed value. */
  function nodeBody(schema) {
    if (!supported(schema)) {
      throw new Error(`no precompiled body check for ${lit(schema).slice(0, 100)}`);
    }
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const nullable = types.includes("null");
    const type = types.filter((t) => t !== "null");
    if (type.length !== 1) throw new Error(`unsupported body type ${lit(schema.type)}`);
    const lines = [];
    if (nullable) lines.push("if (v === null) return null;");
    switch (type[0]) {
      case "string":
        if (schema.enum) {
          const message = `Invalid option: expected one of ${schema.enum.map(lit).join("|")}`;
          lines.push(
            `if (!(${lit(schema.enum)} as unknown[]).includes(v)) abort(out, at, ${lit(message)});`,
            "return v;",
          );
          return lines;
        }
        {
          // zod's length checks run on anything with a length, whatever its type (`when`).
          const lengths = lengthChecks(schema);
          lines.push(
            'if (typeof v !== "string") {',
            `  abort(out, at, \`Invalid input: expected string, received \${received(v)}\`);`,
            ...(lengths.length > 0
              ? ["  if (hasLength(v)) {", ...lengths.map((l) => `    ${l}`), "  }"]
              : []),
            "  return undefined;",
            "}",
          );
          for (const key of Object.keys(schema)) {
            if (key === "pattern") {
              const re = new RegExp(schema.pattern);
              lines.push(
                `if (!${re}.test(v)) out.push({ path: at, message: ${lit(`Invalid string: must match pattern ${re}`)} });`,
              );
            } else if (key === "minLength") {
              lines.push(`tooSmall(out, at, v, ${schema.minLength});`);
            } else if (key === "maxLength") {
              lines.push(`tooBig(out, at, v, ${schema.maxLength});`);
            }
          }
          lines.push("return v;");
          return lines;
        }
      case "boolean":
        lines.push(
          `if (typeof v !== "boolean") return abort(out, at, \`Invalid input: expected boolean, received \${received(v)}\`);`,
          "return v;",
        );
        return lines;
      case "array": {
        const item = fnOf(schema.items ?? {});
        const lengths = lengthChecks(schema);
        lines.push(
          "if (!Array.isArray(v)) {",
          `  abort(out, at, \`Invalid input: expected array, received \${received(v)}\`);`,
          ...(lengths.length > 0
            ? ["  if (hasLength(v)) {", ...lengths.map((l) => `    ${l}`), "  }"]
            : []),
          "  return undefined;",
          "}",
          "const value: unknown[] = [];",
          `for (let i = 0; i < v.length; i++) value.push(${item}(v[i], \`\${at}.\${i}\`, out));`,
          // After the items, even when one was refused (zod's length checks always run).
          ...lengths,
          "return value;",
        );
        return lines;
      }
      case "object": {
        const props = schema.properties ?? {};
        const closed = schema.additionalProperties === false;
        if (Object.keys(props).length === 0 && !closed) {
          // z.record(z.string(), z.unknown()): any object, copied without `__proto__`.
          lines.push(
            `if (!isObject(v)) return abort(out, at, \`Invalid input: expected record, received \${received(v)}\`);`,
            "const value: Record<string, unknown> = {};",
            'for (const key of Object.keys(v)) if (key !== "__proto__") value[key] = v[key];',
            "return value;",
          );
          return lines;
        }
        lines.push(
          `if (!isObject(v)) return abort(out, at, \`Invalid input: expected object, received \${received(v)}\`);`,
          "const value: Record<string, unknown> = {};",
        );
        if (Object.keys(props).length > 0) lines.push("let x: unknown;");
        const required = new Set(schema.required ?? []);
        for (const [name, prop] of Object.entries(props)) {
          const fn = fnOf(prop);
          const at = `\`\${at}.${name}\``;
          lines.push(`x = v[${lit(name)}];`);
          if (prop.default !== undefined && !prop.$ref) {
            lines.push(
              `if (x === undefined) value[${lit(name)}] = ${lit(prop.default)};`,
              `else value[${lit(name)}] = ${fn}(x, ${at}, out);`,
            );
          } else if (required.has(name) || prop.default !== undefined) {
            // Missing and required: the node itself reports `received undefined`, as zod does.
            lines.push(`value[${lit(name)}] = ${fn}(x, ${at}, out);`);
          } else {
            lines.push(`if (x !== undefined) value[${lit(name)}] = ${fn}(x, ${at}, out);`);
          }
        }
        if (closed) {
          const unknown =
            Object.keys(props)
              .map((p) => `key !== ${lit(p)}`)
              .join(" && ") || "true";
          lines.push(
            `for (const key in v) if (${unknown}) out.push({ path: \`\${at}.\${key}\`, message: "Unknown field; it is not writable here." });`,
          );
        }
        lines.push("return value;");
        return lines;
      }
      default:
        throw new Error(`no precompiled body check for type ${type[0]}`);
    }
  }

  const entries = [];
  for (const { op, body } of ops) {
    const media = body.content?.["application/json"];
    if (!media || !supported(media.schema ?? {})) continue;
    entries.push(`  ${op.operationId}: (v, out) => ${fnOf(media.schema ?? {})}(v, "body", out),`);
  }

  // Only the modules that export plain predicates are imported (a namespace import of the
  // others would read an export that does not exist, which bundlers warn about).
  const plainModules = modules.filter((m) => m.plain);
  const imports = [
    'import type { z } from "@hono/zod-openapi";',
    'import type { PlainCheck } from "../platform/checks.js";',
    'import { zodDetails } from "../platform/zod-details.js";',
    ...plainModules.map((m) => `import { plainChecks as ${m.alias} } from ${lit(m.path)};`),
    'import * as s from "./schemas.js";',
  ];
  const lines = [
    "/** Validates one node: pushes details into `out`, returns the parsed value. */",
    "type Node = (v: unknown, at: string, out: Invalid[]) => unknown;",
    "",
    "/** A precompiled body validator: the parsed body; problems are pushed into `out`. */",
    "export type BodyValidator = (body: unknown, out: Invalid[]) => unknown;",
    "",
    "/** The plain predicates of the hand-written checks (`plainChecks` of each `checks.ts`). */",
    "const plainChecks: Partial<Record<s.ComponentName, PlainCheck>> = {",
    ...plainModules.map((m) => `  ...${m.alias},`),
    "};",
    "",
    "/** Details pushed by `abort` end the checks of the nodes around them (zod's `invalid_type`). */",
    "const aborting = new WeakSet<Invalid>();",
    "function abort(out: Invalid[], path: string, message: string): undefined {",
    "  const issue = { path, message };",
    "  aborting.add(issue);",
    "  out.push(issue);",
    "  return undefined;",
    "}",
    "",
    "/** zod's `when` of its length checks: anything but null/undefined with a `length`. */",
    "function hasLength(v: unknown): v is { length: unknown } {",
    "  return v !== null && v !== undefined && (v as { length?: unknown }).length !== undefined;",
    "}",
    "",
    "/** Unicode code points of `s` (zod measures string lengths in them). */",
    "function codePoints(s: string): number {",
    "  let count = s.length;",
    "  for (let i = 0; i < s.length - 1; i++) {",
    "    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {",
    "      count--;",
    "      i++;",
    "    }",
    "  }",
    "  return count;",
    "}",
    "",
    "/** zod's name for the kind of a value with a length, and the unit it counts in. */",
    "function lengthMessage(v: unknown, head: string, op: string, bound: number): string {",
    `  if (typeof v === "string") return \`\${head}: expected string to have \${op}\${bound} characters\`;`,
    `  if (Array.isArray(v)) return \`\${head}: expected array to have \${op}\${bound} items\`;`,
    `  return \`\${head}: expected unknown to be \${op}\${bound}\`;`,
    "}",
    "",
    "/** zod's maxLength/maxItems check (strings in code points): too_big unless `length <= max`. */",
    "function tooBig(out: Invalid[], at: string, v: { length: unknown }, max: number): void {",
    "  const units = v.length as number;",
    '  if (units <= max || (typeof v === "string" && codePoints(v) <= max)) return;',
    '  out.push({ path: at, message: lengthMessage(v, "Too big", "<=", max) });',
    "}",
    "",
    "/** zod's minLength/minItems check (strings in code points): too_small unless `length >= min`. */",
    "function tooSmall(out: Invalid[], at: string, v: { length: unknown }, min: number): void {",
    "  const units = v.length as number;",
    "  if (units >= min) {",
    '    if (typeof v !== "string" || units >= min * 2 || codePoints(v) >= min) return;',
    "  }",
    '  out.push({ path: at, message: lengthMessage(v, "Too small", ">=", min) });',
    "}",
    "",

    "function isObject(v: unknown): v is Record<string, unknown> {",
    '  return typeof v === "object" && v !== null && !Array.isArray(v);',
    "}",
    "",
    "/** `v` decided by a zod schema (details prefixed with `at`). */",
    "function viaZod(schema: z.ZodType, v: unknown, at: string, out: Invalid[]): unknown {",
    "  const result = schema.safeParse(v);",
    "  if (result.success) return result.data;",
    "  for (const detail of zodDetails(at, result.error.issues)) abort(out, detail.path, detail.message);",
    "  return undefined;",
    "}",
    "",
    "/**",
    " * A component: its structural check alone, unless it has a hand-written check; then its zod",
    " * schema decides whenever the structure is wrong or the plain predicate refuses (or is missing).",
    " */",
    "function component(name: s.ComponentName, schema: z.ZodType, structural: Node): Node {",
    "  if (!s.checkedComponents.has(name)) return structural;",
    "  const plain = plainChecks[name];",
    "  if (!plain) return (v, at, out) => viaZod(schema, v, at, out);",
    "  return (v, at, out) => {",
    "    const mine: Invalid[] = [];",
    "    const value = structural(v, at, mine);",
    "    if (mine.length === 0 && plain(value)) return value;",
    "    return viaZod(schema, v, at, out);",
    "  };",
    "}",
    "",
    ...fns,
    "/**",
    " * The JSON body validator of every operation that takes one, by operationId: the same outcome,",
    " * details and value as the body's zod schema in routes.ts.",
    " */",
    "export const bodyValidators: Record<string, BodyValidator> = {",
    ...entries,
    "};",
    "",
  ];
  return { imports, lines };
}
