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

/** One operation of a document (method in lowercase), with its template path matcher. */
export type { SpecOperation as OperationEntry } from "@fluxra/openapi/spec-walk";
export { listOperations } from "@fluxra/openapi/spec-walk";
