/**
 * Walking the bundled spec by hand: JSON pointers, local `$ref`s and path templates. Shared by
 * the server's spec-checked test helpers and the contract suite, which cannot depend on each
 * other (the suite's own tests run against the server).
 */

/** HTTP methods an OpenAPI path item may hold (lowercase, as path items spell them). */
export const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

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

/** Resolves a JSON pointer such as `/components/schemas/Agent` in `doc`. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  let node = doc as Record<string, unknown> | undefined;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = node?.[key] as Record<string, unknown> | undefined;
    if (node === undefined) throw new Error(`No ${pointer} in the spec`);
  }
  return node;
}

/** Escapes one key for use inside a JSON pointer. */
export function pointerEscape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * A matcher for concrete request paths of a path template (`/api/agents/{agent_id}`), and its
 * number of templated segments: when several templates match a path, the fewest wins (`/me`
 * over `/{id}`).
 */
export function pathTemplate(path: string): { pattern: RegExp; params: number } {
  const source = path
    .split("/")
    .map((seg) => (/^\{[^}]+\}$/.test(seg) ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return { pattern: new RegExp(`^${source}$`), params: (path.match(/\{/g) ?? []).length };
}

/** The parts of an operation object the walkers read. */
export interface SpecOperationObject {
  operationId?: string;
  tags?: string[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  [key: string]: unknown;
}

/** One operation of a document, with a matcher for the concrete paths it answers. */
export interface SpecOperation {
  /** Lowercase, as path items spell it. */
  method: string;
  /** The spec's path template, e.g. `/api/conversations/{conversation_id}`. */
  path: string;
  operation: SpecOperationObject;
  pattern: RegExp;
  /** Templated segments; when several templates match, the fewest wins (`/me` over `/{id}`). */
  params: number;
}

/** Every operation of `doc`, in document order. */
export function listOperations(doc: unknown): SpecOperation[] {
  const paths = (doc as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  const out: SpecOperation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of httpMethods) {
      const operation = item[method] as SpecOperationObject | undefined;
      if (operation) out.push({ method, path, operation, ...pathTemplate(path) });
    }
  }
  return out;
}
