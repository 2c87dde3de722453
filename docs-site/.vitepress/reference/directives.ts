import { createRequire } from "node:module";
import { dirname, join } from "node:path";
// By path, not package name: VitePress bundles relative imports into its config but loads
// packages with Node, which cannot run the release package's TypeScript.
import { loadReleasedSpecs, renderApiChangelog } from "../../../release/src/spec-diff/index.js";
import { renderErrorCatalog } from "./error-catalog.js";
import { mediaExamples } from "./example.js";
import { TAG_PAGES } from "./pages.js";
import { authLabel, renderOperation, securityAnchor } from "./render-operation.js";
import { renderSchema } from "./render-schema.js";
import { deref, listOperations, operationsForTag } from "./spec.js";
import { cell, code, jsonBlock, safeProse, schemaAnchor, table } from "./text.js";
import type { OpenApiDocument } from "./types.js";

/**
 * Page directives, written as HTML comments so a page stays valid Markdown:
 * `<!-- fluxra:operations tag="Chat" -->`, `<!-- fluxra:reference -->`, `<!-- fluxra:error-codes -->`,
 * `<!-- fluxra:example op="getHealth" status="200" -->`, `<!-- fluxra:schema name="Agent" -->`,
 * `<!-- fluxra:version -->`, `<!-- fluxra:base-url -->`, `<!-- fluxra:api-changelog -->`.
 */
const DIRECTIVE = /<!--\s*fluxra:([a-z-]+)((?:\s+[a-z]+="[^"]*")*)\s*-->/g;

/**
 * Replaces every directive in a page's Markdown source with Markdown generated from the spec.
 *
 * @throws on an unknown directive, tag, operation, status or schema, so a renamed spec item
 * breaks the build instead of silently leaving a hole in a page.
 */
export function expandDirectives(src: string, doc: OpenApiDocument): string {
  return src.replace(DIRECTIVE, (_match, name: string, rawArgs: string) => {
    const args = Object.fromEntries(
      [...rawArgs.matchAll(/([a-z]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    const need = (key: string): string => {
      const value = args[key];
      if (value === undefined) throw new Error(`fluxra:${name} needs ${key}="…"`);
      return value;
    };
    switch (name) {
      case "operations":
        return renderTag(doc, need("tag"), 3);
      case "operation-table":
        return operationTable(doc, need("tag"));
      case "reference":
        return renderReference(doc);
      case "error-codes":
        // Wrapped so the catalog can be found on the page (blank lines keep the table Markdown).
        return `<div class="fx-error-catalog">\n\n${renderErrorCatalog(doc)}\n\n</div>`;
      case "example":
        return renderExample(doc, need("op"), need("status"));
      case "schema":
        return renderNamedSchema(doc, need("name"));
      case "credentials":
        return credentialsTable(doc);
      case "tag":
        return tagDescription(doc, need("name"));
      case "version":
        return doc.info.version;
      case "base-url":
        return doc.servers?.[0]?.url ?? "";
      case "api-changelog":
        return renderApiChangelog(loadReleasedSpecs(releasedDir()), doc);
      default:
        throw new Error(`Unknown directive fluxra:${name}`);
    }
  });
}

/** Each security scheme with its format and the operations that accept it, from the spec. */
function credentialsTable(doc: OpenApiDocument): string {
  const ops = listOperations(doc);
  const rows = Object.entries(doc.components?.securitySchemes ?? {}).map(([name, scheme]) => {
    const accepting = ops.filter((op) =>
      (op.operation.security ?? doc.security ?? []).some((r) => name in r),
    );
    const link = (op: (typeof ops)[number]) =>
      `[${code(op.id)}](${TAG_PAGES[op.tag] ?? "/reference"}#${op.id})`;
    const where =
      accepting.length === 0
        ? "no operation, as a bearer credential"
        : accepting.length > 8
          ? `${accepting.length} operations: every authenticated operation except ${ops
              .filter(
                (op) =>
                  !accepting.includes(op) &&
                  (op.operation.security ?? doc.security ?? []).length > 0,
              )
              .map(link)
              .join(", ")}`
          : accepting.map(link).join(", ");
    const format = [scheme.scheme, scheme.bearerFormat].filter(Boolean).join(" · ");
    return [`[${code(name)}](/reference#${securityAnchor(name)})`, code(format), where];
  });
  return table(["Scheme", "Format", "Accepted by"], rows);
}

function tagDescription(doc: OpenApiDocument, name: string): string {
  const tag = doc.tags?.find((t) => t.name === name);
  if (!tag) throw new Error(`The spec has no tag ${name}`);
  return safeProse(tag.description ?? "");
}

function operationTable(doc: OpenApiDocument, tag: string, page = ""): string {
  const ops = operationsForTag(doc, tag);
  if (ops.length === 0) throw new Error(`The spec has no operations tagged ${tag}`);
  return table(
    ["Method", "Path", "Operation", "Auth"],
    ops.map((op) => [
      op.method,
      code(op.path),
      `[${cell(op.operation.summary ?? op.id)}](${page}#${op.id})`,
      authLabel(doc, op),
    ]),
  );
}

function renderTag(doc: OpenApiDocument, tag: string, level: number): string {
  const ops = operationsForTag(doc, tag);
  return [operationTable(doc, tag), ...ops.map((op) => renderOperation(doc, op, level))].join(
    "\n\n",
  );
}

function renderReference(doc: OpenApiDocument): string {
  const out: string[] = [];
  for (const tag of doc.tags ?? []) {
    out.push(`## ${tag.name} {#tag-${tag.name.toLowerCase()}}`);
    if (tag.description) out.push(safeProse(tag.description));
    const page = TAG_PAGES[tag.name];
    if (page) {
      out.push(
        `Each operation is documented in full on the [${tag.name} page](${page}#endpoint-reference).`,
      );
      out.push(operationTable(doc, tag.name, page));
    } else {
      out.push(renderTag(doc, tag.name, 3));
    }
  }
  const schemes = Object.entries(doc.components?.securitySchemes ?? {});
  if (schemes.length > 0) {
    out.push("## Security schemes {#security-schemes}");
    for (const [name, scheme] of schemes) {
      out.push(`### ${name} {#${securityAnchor(name)}}`);
      const kind = [scheme.type, scheme.scheme, scheme.bearerFormat].filter(Boolean).join(" · ");
      out.push(`Type: ${code(kind)}`);
      if (scheme.description) out.push(safeProse(scheme.description));
    }
  }
  out.push("## Schemas {#schemas}");
  for (const name of Object.keys(doc.components?.schemas ?? {}))
    out.push(renderNamedSchema(doc, name, 3));
  return out.join("\n\n");
}

function renderNamedSchema(doc: OpenApiDocument, name: string, level?: number): string {
  const schema = doc.components?.schemas?.[name];
  if (!schema) throw new Error(`The spec has no schema ${name}`);
  const body = [
    schema.description ? safeProse(schema.description) : "",
    renderSchema(doc, { ...schema, description: "" }),
  ];
  const heading = level ? [`${"#".repeat(level)} ${name} {#${schemaAnchor(name)}}`] : [];
  return [...heading, ...body].filter(Boolean).join("\n\n");
}

function renderExample(doc: OpenApiDocument, opId: string, status: string): string {
  const op = Object.values(doc.paths)
    .flatMap((item) => Object.values(item))
    .find((o) => (o as { operationId?: string }).operationId === opId) as
    | { responses?: Record<string, { $ref?: string }> }
    | undefined;
  const raw = op?.responses?.[status];
  if (!raw) throw new Error(`No response ${status} for operation ${opId}`);
  const response = deref(doc, raw) as {
    content?: Record<string, Parameters<typeof mediaExamples>[1]>;
  };
  const media = response.content?.["application/json"];
  const example = media ? mediaExamples(doc, media)[0] : undefined;
  if (!example) throw new Error(`Response ${status} of ${opId} has no JSON body`);
  return jsonBlock(example.value);
}

/** `openapi/released/`: one bundle per released API version, beside the current bundle's folder. */
function releasedDir(): string {
  const bundle = createRequire(import.meta.url).resolve("@fluxra/openapi/fluxra.json");
  return join(dirname(dirname(bundle)), "released");
}
