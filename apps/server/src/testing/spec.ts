import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** A parsed OpenAPI document (loosely typed: tests walk it by hand). */
export type OpenApiDocument = {
  paths: Record<string, Record<string, OperationObject>>;
  components: Record<string, Record<string, unknown>>;
} & Record<string, unknown>;

/** The parts of an operation object the test helpers read. */
export interface OperationObject {
  operationId?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  [key: string]: unknown;
}

/** HTTP methods an OpenAPI path item may hold. */
export const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

let cached: OpenApiDocument | undefined;

/** The hand-authored spec, `@fluxra/openapi/fluxra.json` (bundled from `openapi/`). */
export function loadSpec(): OpenApiDocument {
  if (!cached) {
    const path = createRequire(import.meta.url).resolve("@fluxra/openapi/fluxra.json");
    cached = JSON.parse(readFileSync(path, "utf8")) as OpenApiDocument;
  }
  return cached;
}

/** Follows a local `$ref` (`#/components/...`) until it reaches a non-reference object. */
export function deref<T = Record<string, unknown>>(doc: unknown, value: unknown): T {
  let current = value as { $ref?: unknown };
  const seen = new Set<string>();
  while (current && typeof current.$ref === "string") {
    const ref: string = current.$ref;
    if (seen.has(ref) || !ref.startsWith("#/")) throw new Error(`Unresolvable $ref ${ref}`);
    seen.add(ref);
    current = resolvePointer(doc, ref.slice(1)) as { $ref?: unknown };
  }
  return current as T;
}

/** Resolves a JSON pointer (`/components/schemas/Agent`) in `doc`. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  let node = doc as Record<string, unknown> | undefined;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = node?.[key] as Record<string, unknown> | undefined;
    if (node === undefined) throw new Error(`No ${pointer} in the spec`);
  }
  return node;
}

/** Escapes a key for use inside a JSON pointer. */
export function pointerEscape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** One operation of a document, with its template path matcher. */
export interface OperationEntry {
  method: string;
  path: string;
  operation: OperationObject;
  pattern: RegExp;
  /** Number of templated segments; the fewest wins when several templates match. */
  params: number;
}

/** Lists every operation of `doc` with a regex for its path template. */
export function listOperations(doc: OpenApiDocument): OperationEntry[] {
  const out: OperationEntry[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of httpMethods) {
      const operation = item[method];
      if (!operation) continue;
      const source = path
        .split("/")
        .map((seg) =>
          /^\{[^}]+\}$/.test(seg) ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join("/");
      out.push({
        method,
        path,
        operation,
        pattern: new RegExp(`^${source}$`),
        params: (path.match(/\{/g) ?? []).length,
      });
    }
  }
  return out;
}
