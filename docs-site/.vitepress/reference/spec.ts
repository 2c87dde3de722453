import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
// By relative path, not the package name: VitePress bundles its config with node_modules
// external, and Node cannot load the workspace package's TypeScript source.
import {
  deref as walkDeref,
  listOperations as walkOperations,
  resolvePointer as walkPointer,
} from "../../../openapi/lib/spec-walk.js";
import type { LocatedOperation, OpenApiDocument, Parameter } from "./types.js";

/** The order operations of one path are documented in (reading order, not the spec's). */
const METHODS = ["get", "put", "post", "patch", "delete", "options", "head", "trace"] as const;

/**
 * Where the bundled spec lives: `FLUXRA_SPEC` when set, else `@fluxra/openapi/fluxra.json`
 * resolved through the workspace like any other dependency.
 */
export function specPath(): string {
  const fromEnv = process.env.FLUXRA_SPEC;
  if (fromEnv) return fromEnv;
  return createRequire(import.meta.url).resolve("@fluxra/openapi/fluxra.json");
}

let cache: { path: string; mtimeMs: number; doc: OpenApiDocument } | undefined;

/**
 * Reads the bundled spec, re-reading it when the file changed (so `vitepress dev` picks up a new
 * bundle without a restart).
 *
 * @throws when the bundle is missing or is not JSON: the site must not build without its source.
 */
export function loadSpec(path = specPath()): OpenApiDocument {
  const { mtimeMs } = statSync(path);
  if (cache && cache.path === path && cache.mtimeMs === mtimeMs) return cache.doc;
  const doc = JSON.parse(readFileSync(path, "utf8")) as OpenApiDocument;
  cache = { path, mtimeMs, doc };
  return doc;
}

/**
 * Resolves a local JSON pointer such as `#/components/schemas/Agent`.
 *
 * @throws on a pointer that leaves the document or names nothing.
 */
export function resolvePointer(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`Only local $ref values are supported, got ${ref}`);
  return walkPointer(doc, ref.slice(1));
}

/** Follows `$ref` chains until a real object is reached (@fluxra/openapi/spec-walk). */
export function deref<T extends { $ref?: string }>(doc: OpenApiDocument, value: T): T {
  return walkDeref<T>(doc, value);
}

/** The last segment of a `$ref`, i.e. the component name. */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

/**
 * Every operation of the document in spec order (@fluxra/openapi/spec-walk; within a path, in
 * {@link METHODS} order), each under its first tag, with the path item's parameters merged in.
 */
export function listOperations(doc: OpenApiDocument): LocatedOperation[] {
  const pathOrder = Object.keys(doc.paths);
  const methodOrder = (m: string) => METHODS.indexOf(m as (typeof METHODS)[number]);
  const walked = walkOperations(doc).sort(
    (a, b) =>
      pathOrder.indexOf(a.path) - pathOrder.indexOf(b.path) ||
      methodOrder(a.method) - methodOrder(b.method),
  );
  return walked.map(({ method, path }) => {
    const item = doc.paths[path] as Record<string, unknown>;
    const operation = item[method] as LocatedOperation["operation"];
    const shared = (item["parameters"] as Parameter[] | undefined) ?? [];
    const own = operation.parameters ?? [];
    const key = (p: Parameter) => `${deref(doc, p).in}:${deref(doc, p).name}`;
    const merged = [...shared.filter((s) => !own.some((o) => key(o) === key(s))), ...own];
    const isSharedHeader = (p: Parameter) => p.$ref !== undefined && deref(doc, p).in === "header";
    return {
      id: operation.operationId ?? `${method} ${path}`,
      method: method.toUpperCase(),
      path,
      tag: operation.tags?.[0] ?? "Other",
      operation,
      parameters: merged.filter((p) => !isSharedHeader(p)).map((p) => deref(doc, p)),
      sharedHeaders: merged.filter(isSharedHeader).map((p) => deref(doc, p)),
    };
  });
}

/** The operations of one tag, in spec order. */
export function operationsForTag(doc: OpenApiDocument, tag: string): LocatedOperation[] {
  return listOperations(doc).filter((op) => op.tag === tag);
}
