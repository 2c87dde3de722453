import { errorCodes } from "./example.js";
import { deref, listOperations } from "./spec.js";
import { cell, code, table } from "./text.js";
import type { OpenApiDocument, Schema } from "./types.js";

/** One entry of the error-code catalog. */
export interface CatalogEntry {
  code: string;
  statuses: string[];
  operations: string[];
  meaning: string;
}

/**
 * The closed `ErrorCode` catalog of the spec, each code with the HTTP statuses and operations
 * whose documented responses name it, and its meaning when the spec gives one.
 *
 * @throws when the spec has no `ErrorCode` enum: the Conventions page cannot be built without it.
 */
export function errorCatalog(doc: OpenApiDocument): CatalogEntry[] {
  const schema = doc.components?.schemas?.ErrorCode;
  if (!schema) throw new Error("The spec has no components.schemas.ErrorCode");
  const values = enumValues(schema);
  const statusFallback = new Map<string, string>();
  const meanings = enumMeanings(schema, statusFallback);
  const seen = new Map<string, { statuses: Set<string>; operations: Set<string> }>();
  for (const op of listOperations(doc)) {
    for (const [status, raw] of Object.entries(op.operation.responses ?? {})) {
      const response = deref(doc, raw);
      for (const c of errorCodes(doc, response.content?.["application/json"])) {
        const entry = seen.get(c) ?? { statuses: new Set(), operations: new Set() };
        entry.statuses.add(status);
        entry.operations.add(op.id);
        seen.set(c, entry);
      }
    }
  }
  return values.map((value) => ({
    code: value,
    statuses: seen.get(value)?.statuses.size
      ? [...(seen.get(value)?.statuses ?? [])].sort()
      : [statusFallback.get(value)].filter((x): x is string => x !== undefined),
    operations: [...(seen.get(value)?.operations ?? [])],
    meaning: meanings.get(value) ?? "",
  }));
}

function enumValues(schema: Schema): string[] {
  if (schema.enum) return schema.enum.map(String);
  return (schema.oneOf ?? [])
    .map((v) => v.const)
    .filter((v) => v !== undefined)
    .map(String);
}

/** Meanings from `oneOf` consts, `x-enum-descriptions`, or a "- `code`: meaning" list in the description. */
function enumMeanings(schema: Schema, statusFallback: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of schema.oneOf ?? []) {
    if (v.const !== undefined && v.description) out.set(String(v.const), v.description);
  }
  const extra = schema["x-enum-descriptions"];
  if (Array.isArray(extra)) {
    extra.forEach((text, i) => {
      const value = schema.enum?.[i];
      if (value !== undefined) out.set(String(value), text);
    });
  } else if (extra) {
    for (const [k, v] of Object.entries(extra)) out.set(k, v);
  }
  for (const line of (schema.description ?? "").split("\n")) {
    const row = line.trim().match(/^\|\s*`([a-z_]+)`\s*\|(.*)\|\s*$/);
    const list = line.trim().match(/^[-*]\s*`([a-z_]+)`\s*[:—–-]\s*(.+)$/);
    const key = row?.[1] ?? list?.[1];
    const cells = row ? (row[2] ?? "").split("|").map((c) => c.trim()) : [list?.[2] ?? ""];
    if (!key || out.has(key)) continue;
    // A catalog table reads `| code | status | meaning |`: keep the status as a fallback.
    const status = cells.length > 1 && /^\d{3}$/.test(cells[0] ?? "") ? cells[0] : undefined;
    out.set(key, cells[cells.length - 1] ?? "");
    if (status) statusFallback.set(key, status);
  }
  return out;
}

/** The catalog as a Markdown table. */
export function renderErrorCatalog(doc: OpenApiDocument): string {
  const entries = errorCatalog(doc);
  const anyMeaning = entries.some((e) => e.meaning);
  const header = ["Code", "HTTP status", ...(anyMeaning ? ["Meaning"] : [])];
  return table(
    header,
    entries.map((e) => [
      code(e.code),
      e.statuses.join(", ") || "—",
      ...(anyMeaning ? [cell(e.meaning)] : []),
    ]),
  );
}
