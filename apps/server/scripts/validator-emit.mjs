// Precompiled request validators: plain functions (no zod at run time) for the path parameters
// and query string of every operation, emitted from the same spec and in the same keyword order
// as the zod in schemas.ts/routes.ts, answering the same `validation_failed` details
// (path and message) as the zod path does (the validators test compares them on every
// operation). Issue 18 (performance) can serve requests through these; bodies, whose components
// carry hand-written checks, are the next step.

const lit = (value) => JSON.stringify(value);

/** The source of zod's invalid-type message, naming the received type at run time. */
const invalidType = (expected) =>
  `\`Invalid input: expected ${expected}, received $\{received(v)}\``;

/** The JS source of a check of `schema` on `v` (a string from the URL, a string[] if repeated). */
function checks(schema, resolve, at) {
  const s = schema.$ref ? resolve(schema.$ref) : schema;
  const lines = [];
  const issue = (message) => `out.push({ path: ${at}, message: ${message} });`;
  if (s.type === "integer" || s.type === "number") {
    lines.push(
      'if (typeof v === "string" && /^[0-9]{1,6}$/.test(v)) v = Number(v);',
      `if (typeof v !== "number") { ${issue(invalidType("number"))} }`,
      "else {",
    );
    if (s.type === "integer") {
      lines.push(
        `  if (!Number.isInteger(v)) ${issue('"Invalid input: expected int, received number"')}`,
      );
    }
    for (const key of Object.keys(s)) {
      if (key === "minimum") {
        lines.push(
          `  if (v < ${s.minimum}) ${issue(lit(`Too small: expected number to be >=${s.minimum}`))}`,
        );
      } else if (key === "maximum") {
        lines.push(
          `  if (v > ${s.maximum}) ${issue(lit(`Too big: expected number to be <=${s.maximum}`))}`,
        );
      }
    }
    lines.push("}");
    return lines;
  }
  if (s.type !== "string") throw new Error(`no precompiled check for ${lit(s).slice(0, 80)}`);
  if (s.enum) {
    // zod checks the option alone, whatever the type.
    const message = `Invalid option: expected one of ${s.enum.map(lit).join("|")}`;
    lines.push(`if (!(${lit(s.enum)} as unknown[]).includes(v)) ${issue(lit(message))}`);
    return lines;
  }
  lines.push(`if (typeof v !== "string") {`, `  ${issue(invalidType("string"))}`);
  // zod still checks the length of anything that has one (a repeated query key: an array).
  lines.push("  if (Array.isArray(v)) {");
  if (s.minLength !== undefined) {
    lines.push(
      `    if (v.length < ${s.minLength}) ${issue(lit(`Too small: expected array to have >=${s.minLength} items`))}`,
    );
  }
  if (s.maxLength !== undefined) {
    lines.push(
      `    if (v.length > ${s.maxLength}) ${issue(lit(`Too big: expected array to have <=${s.maxLength} items`))}`,
    );
  }
  lines.push("  }", "}");
  lines.push("else {");
  for (const key of Object.keys(s)) {
    if (key === "pattern") {
      const re = new RegExp(s.pattern);
      lines.push(`  if (!${re}.test(v)) ${issue(lit(`Invalid string: must match pattern ${re}`))}`);
    } else if (key === "minLength") {
      lines.push(
        `  if (v.length < ${s.minLength}) ${issue(lit(`Too small: expected string to have >=${s.minLength} characters`))}`,
      );
    } else if (key === "maxLength") {
      lines.push(
        `  if (v.length > ${s.maxLength}) ${issue(lit(`Too big: expected string to have <=${s.maxLength} characters`))}`,
      );
    }
  }
  lines.push("}");
  return lines;
}

/**
 * A validator of one parameter object: `(input, out) => value`, pushing `{ path, message }`
 * details (prefixed `path.` or `query.`) into `out`. `strict`: unknown keys are refused.
 */
export function paramValidator(params, where, strict, resolve) {
  const prefix = where === "path" ? "path" : "query";
  const body = ["const value: Record<string, unknown> = {};"];
  if (params.length > 0) body.push("let v: unknown;");
  for (const p of params) {
    const schema = p.schema ?? {};
    const target = schema.$ref ? resolve(schema.$ref) : schema;
    const def = schema.default ?? target.default;
    const required = p.required === true;
    body.push(`v = input[${lit(p.name)}];`);
    if (def !== undefined && where === "query") {
      body.push(`if (v === undefined) value[${lit(p.name)}] = ${lit(def)};`, "else {");
    } else if (!required) {
      body.push("if (v !== undefined) {");
    } else {
      body.push("{");
    }
    body.push(...checks(schema, resolve, lit(`${prefix}.${p.name}`)).map((l) => `  ${l}`));
    body.push(`  value[${lit(p.name)}] = v;`, "}");
  }
  if (strict) {
    const known = `(${lit(params.map((p) => p.name))} as readonly string[])`;
    body.push(
      `for (const key in input) if (!${known}.includes(key)) out.push({ path: ${lit(`${prefix}.`)} + key, message: "Unknown field; it is not writable here." });`,
    );
  }
  body.push("return value;");
  return `(input: Record<string, unknown>, out: Invalid[]) => {\n    ${body.join("\n    ")}\n  }`;
}
