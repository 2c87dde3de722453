import { normalizeSchema } from "./normalize-schema.js";
import { deref, httpMethods, type OpenApiDocument } from "./spec.js";

/** What the drift test compares for one operation, in canonical form. */
export interface OperationShape {
  parameters: string[];
  requestBody: { required: boolean; content: Record<string, unknown> } | null;
  responses: Record<string, Record<string, unknown> | "no content">;
}

/** `METHOD /path` keys of every operation in `doc`. */
export function operationKeys(doc: OpenApiDocument): string[] {
  const keys: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of httpMethods)
      if (item[method]) keys.push(`${method.toUpperCase()} ${path}`);
  }
  return keys.sort();
}

function contentSchemas(doc: OpenApiDocument, content: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [type, media] of Object.entries(
    (content ?? {}) as Record<string, { schema?: unknown }>,
  )) {
    out[type] = normalizeSchema(doc, media.schema ?? {});
  }
  return out;
}

/**
 * The comparable shape of `METHOD /path` in `doc`: parameters as `in:name:required` (header
 * names case-folded), the request body's media types and normalized schemas, and each response
 * status with its normalized body schemas.
 */
export function operationShape(doc: OpenApiDocument, key: string): OperationShape {
  const [method, path] = key.split(" ") as [string, string];
  const operation = doc.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${key} is not in the document`);
  const parameters = (operation.parameters ?? [])
    .map((p) => deref<{ in: string; name: string; required?: boolean }>(doc, p))
    .map(
      (p) => `${p.in}:${p.in === "header" ? p.name.toLowerCase() : p.name}:${p.required === true}`,
    )
    .sort();
  let requestBody: OperationShape["requestBody"] = null;
  if (operation.requestBody) {
    const body = deref<{ required?: boolean; content?: unknown }>(doc, operation.requestBody);
    requestBody = { required: body.required === true, content: contentSchemas(doc, body.content) };
  }
  const responses: OperationShape["responses"] = {};
  for (const [status, raw] of Object.entries(operation.responses)) {
    const response = deref<{ content?: unknown }>(doc, raw);
    responses[status] = response.content ? contentSchemas(doc, response.content) : "no content";
  }
  return { parameters, requestBody, responses };
}
