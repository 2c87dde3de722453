#!/usr/bin/env node
// Generates src/generated/tools.ts, the MCP tools' titles, descriptions and JSON Schema inputs,
// from the bundled spec (@fluxra/openapi/fluxra.json) and the tool list in tools.mjs. Schemas are
// inlined (no $ref: MCP hosts differ in what they resolve) and stripped of OpenAPI-only keywords.
// `--check` writes nothing and exits 1 when the committed file differs (stale generation);
// `--spec <file>` swaps in another bundled spec (the staleness test uses a modified copy).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { writeGenerated } from "@fluxra/openapi/write-generated";
import { TOOLS } from "./tools.mjs";

const require = createRequire(import.meta.url);
const specArg = process.argv.indexOf("--spec");
const specPath =
  specArg > 0 ? process.argv[specArg + 1] : require.resolve("@fluxra/openapi/fluxra.json");
const spec = JSON.parse(await readFile(specPath, "utf8"));

/** OpenAPI keywords that are not JSON Schema 2020-12 (or say nothing to a model). */
const DROP = new Set(["example", "discriminator", "xml", "externalDocs"]);

function resolve(ref) {
  if (!ref.startsWith("#/")) throw new Error(`external $ref ${ref}`);
  return ref
    .slice(2)
    .split("/")
    .reduce((node, key) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
}

/** A copy of `node` with every $ref inlined and OpenAPI-only keywords removed. */
function inline(node, seen = []) {
  if (Array.isArray(node)) return node.map((item) => inline(item, seen));
  if (!node || typeof node !== "object") return node;
  if (typeof node.$ref === "string") {
    if (seen.includes(node.$ref)) throw new Error(`recursive schema ${node.$ref}`);
    const { $ref, ...siblings } = node;
    return inline({ ...resolve($ref), ...siblings }, [...seen, $ref]);
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROP.has(key) || key.startsWith("x-")) continue;
    // `properties` maps names to schemas: its keys are field names, not keywords.
    out[key] =
      key === "properties"
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inline(v, seen)]))
        : inline(value, seen);
  }
  return out;
}

function operation(id) {
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op?.operationId === id) return { path, method, op, shared: item.parameters ?? [] };
    }
  }
  throw new Error(`no operation ${id} in the spec`);
}

/** The description for a model: the spec's text without the "Caller:" paragraph (always us). */
function describe(op, lead) {
  const body = (op.description ?? "")
    .split(/\n\s*\n/)
    .filter((p) => !p.startsWith("**Caller:**"))
    .join("\n\n")
    .trim();
  return [lead, body].filter(Boolean).join("\n\n");
}

function buildTool(source) {
  const { op, shared } = operation(source.operation);
  const params = [...shared, ...(op.parameters ?? [])].map((p) => (p.$ref ? resolve(p.$ref) : p));
  const properties = {};
  const required = [];
  const locations = {};
  const add = (name, schema, where, isRequired) => {
    if (properties[name]) throw new Error(`${source.name}: input ${name} defined twice`);
    properties[name] = schema;
    locations[name] = where;
    if (isRequired) required.push(name);
  };
  for (const entry of source.params ?? []) {
    const want = typeof entry === "string" ? { name: entry } : entry;
    const param = params.find((p) => p.name === want.name);
    if (!param)
      throw new Error(`${source.name}: ${source.operation} has no parameter ${want.name}`);
    const schema = inline(param.schema);
    if (param.description) schema.description = param.description;
    add(want.as ?? param.name, schema, param.in, want.required ?? param.required === true);
  }
  if (source.body) {
    const body = inline(spec.components.schemas[source.body] ?? {});
    if (body.type !== "object") throw new Error(`${source.name}: ${source.body} is not an object`);
    for (const [name, schema] of Object.entries(body.properties ?? {})) {
      if (name in (source.fixed ?? {})) {
        if (!schema.enum?.includes(source.fixed[name])) {
          throw new Error(
            `${source.name}: ${source.body}.${name} no longer allows ${source.fixed[name]}`,
          );
        }
        continue;
      }
      add(name, schema, "body", body.required?.includes(name));
    }
  }
  for (const [name, schema] of Object.entries(source.local ?? {}))
    add(name, schema, "local", false);
  return {
    name: source.name,
    title: source.title ?? op.summary,
    description: source.description ?? describe(op, source.lead),
    inputSchema: {
      type: "object",
      properties,
      ...(required.length > 0 ? { required } : {}),
      ...(source.dependentRequired ? { dependentRequired: source.dependentRequired } : {}),
      additionalProperties: false,
    },
    locations,
  };
}

const tools = TOOLS.map(buildTool);
const content = `// Generated by packages/mcp/scripts/generate.mjs from @fluxra/openapi/fluxra.json and scripts/tools.mjs.
// Do not edit by hand: change the spec (or tools.mjs) and run \`pnpm --filter @fluxra/mcp generate\`.

/** Where a tool input goes: a request parameter, a body field, or the tool itself (\`local\`). */
export type InputLocation = "path" | "query" | "header" | "body" | "local";

/** One MCP tool as derived from the spec: its JSON Schema input and where each input goes. */
export interface GeneratedTool {
  readonly name: ToolName;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: { readonly type: "object"; readonly [keyword: string]: unknown };
  readonly locations: Readonly<Record<string, InputLocation>>;
}

/** The names of the tools \`fluxra-mcp\` serves. */
export type ToolName = ${tools.map((t) => JSON.stringify(t.name)).join(" | ")};

/** Every tool, in the order they are listed. */
export const generatedTools: readonly GeneratedTool[] = ${JSON.stringify(tools, null, 2)};
`;

await writeGenerated({
  outDir: fileURLToPath(new URL("../src/generated/", import.meta.url)),
  files: { "tools.ts": content },
  check: process.argv.includes("--check"),
  label: "src/generated/tools.ts",
  command: "pnpm --filter @fluxra/mcp generate",
  quiet: !process.argv.includes("--check"),
});
if (!process.argv.includes("--check"))
  console.log(`Generated src/generated/tools.ts (${tools.length} tools).`);
