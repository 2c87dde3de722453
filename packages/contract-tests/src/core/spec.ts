import bundled from "@fluxra/openapi/fluxra.json" with { type: "json" };

/** A parsed OpenAPI 3.1 document, loosely typed: the suite walks it by hand. */
export type OpenApiDocument = {
  paths: Record<string, Record<string, OperationObject>>;
  components: Record<string, Record<string, unknown>>;
} & Record<string, unknown>;

/** The parts of an operation object the suite reads. */
export interface OperationObject {
  operationId: string;
  tags?: string[];
  responses: Record<string, unknown>;
  [key: string]: unknown;
}

/** The five domains of the suite (one name everywhere: spec tags, server folders, this package). */
export const domains = ["conventions", "auth", "agents", "chat", "blocks"] as const;

/** One domain of checks. */
export type Domain = (typeof domains)[number];

/** One operation of the spec, with a matcher for concrete request paths. */
export interface OperationEntry {
  method: string;
  /** The spec's path template, e.g. `/api/conversations/{conversation_id}`. */
  path: string;
  operationId: string;
  domain: Domain;
  operation: OperationObject;
  pattern: RegExp;
  /** Templated segments; when several templates match, the fewest wins (`/me` over `/{id}`). */
  params: number;
}

const methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];
const tagDomains: Record<string, Domain> = {
  Health: "conventions",
  Auth: "auth",
  Agents: "agents",
  Chat: "chat",
  Blocks: "blocks",
};

/** The bundled Fluxra spec this version of the suite was built from. */
export function bundledSpec(): OpenApiDocument {
  return bundled as unknown as OpenApiDocument;
}

/** Every operation of `doc`, each with its domain (from its first tag) and path matcher. */
export function listOperations(doc: OpenApiDocument): OperationEntry[] {
  const out: OperationEntry[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of methods) {
      const operation = item[method];
      if (!operation) continue;
      const source = path
        .split("/")
        .map((seg) =>
          /^\{[^}]+\}$/.test(seg) ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join("/");
      out.push({
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId,
        domain: tagDomains[operation.tags?.[0] ?? ""] ?? "conventions",
        operation,
        pattern: new RegExp(`^${source}$`),
        params: (path.match(/\{/g) ?? []).length,
      });
    }
  }
  return out;
}

/** Follows local `$ref`s until a non-reference object is reached. */
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

/** Resolves a JSON pointer such as `/components/schemas/Agent`. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  let node = doc as Record<string, unknown> | undefined;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = node?.[key] as Record<string, unknown> | undefined;
    if (node === undefined) throw new Error(`No ${pointer} in the spec`);
  }
  return node;
}

/** Escapes one key for a JSON pointer. */
export function pointerEscape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
