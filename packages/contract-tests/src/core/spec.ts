import { domainName, specDomains } from "@fluxra/openapi/domains";
import bundled from "@fluxra/openapi/fluxra.json" with { type: "json" };
import { type SpecOperation, listOperations as walkOperations } from "@fluxra/openapi/spec-walk";

export { deref, pointerEscape, resolvePointer } from "@fluxra/openapi/spec-walk";

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

/**
 * One domain of checks: `conventions` (the cross-cutting rules) or a spec tag in lowercase (one
 * name everywhere: spec tags, server folders, this package's folders).
 */
export type Domain = string;

/**
 * Domains whose operations the conventions checks cover: infrastructure, not a domain of rules.
 * api.md: `GET /health` sits at the root, every other route under `/api`; so a tag none of
 * whose operations is under `/api/` (Health) is infrastructure.
 */
export const conventionTags: ReadonlySet<string> = new Set(
  specDomains(bundled)
    .filter(({ tag }) =>
      walkOperations(bundled).every(
        (o) => !(o.operation as OperationObject).tags?.includes(tag) || !o.path.startsWith("/api/"),
      ),
    )
    .map((d) => d.name),
);

/** The domain an operation tagged `tag` belongs to. */
function domainOfTag(tag: string | undefined): Domain {
  const name = tag === undefined ? "conventions" : domainName(tag);
  return conventionTags.has(name) ? "conventions" : name;
}

/** The domains of the suite, in run order: `conventions`, then the spec's domains in tag order. */
export const domains: readonly Domain[] = [
  "conventions",
  ...specDomains(bundled)
    .map((d) => d.name)
    .filter((name) => !conventionTags.has(name)),
];

/** One operation of the spec (method in lowercase), with its domain and a path matcher. */
export interface OperationEntry extends SpecOperation {
  operationId: string;
  domain: Domain;
  operation: OperationObject;
}

/** The bundled Fluxra spec this version of the suite was built from. */
export function bundledSpec(): OpenApiDocument {
  return bundled as unknown as OpenApiDocument;
}

/** Every operation of `doc`, each with its domain (from its first tag) and path matcher. */
export function listOperations(doc: OpenApiDocument): OperationEntry[] {
  return walkOperations(doc).map((entry) => {
    const operation = entry.operation as OperationObject;
    return {
      ...entry,
      operation,
      operationId: operation.operationId,
      domain: domainOfTag(operation.tags?.[0]),
    };
  });
}
