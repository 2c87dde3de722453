import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { httpMethods, pathTemplate } from "@fluxra/openapi/spec-walk";

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

export { deref, httpMethods, pointerEscape, resolvePointer } from "@fluxra/openapi/spec-walk";

let cached: OpenApiDocument | undefined;

/** The hand-authored spec, `@fluxra/openapi/fluxra.json` (bundled from `openapi/`). */
export function loadSpec(): OpenApiDocument {
  if (!cached) {
    const path = createRequire(import.meta.url).resolve("@fluxra/openapi/fluxra.json");
    cached = JSON.parse(readFileSync(path, "utf8")) as OpenApiDocument;
  }
  return cached;
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
      if (operation) out.push({ method, path, operation, ...pathTemplate(path) });
    }
  }
  return out;
}
