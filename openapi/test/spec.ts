/**
 * Loads the committed bundle and offers small helpers to walk it: the tests check the artifact
 * other packages consume, not the split sources.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  httpMethods,
  listOperations,
  pointerEscape,
  resolvePointer,
  deref as walkDeref,
} from "../lib/spec-walk.js";

/**
 * A JSON object as found in the spec. The OpenAPI and JSON Schema keys the tests read are named,
 * so they can be read with dot access under `noPropertyAccessFromIndexSignature`.
 */
export interface Json {
  [key: string]: unknown;
  $ref?: unknown;
  additionalProperties?: unknown;
  allOf?: unknown;
  anyOf?: unknown;
  code?: unknown;
  components?: unknown;
  const?: unknown;
  content?: unknown;
  description?: unknown;
  enum?: unknown;
  error?: unknown;
  example?: unknown;
  examples?: unknown;
  headers?: unknown;
  in?: unknown;
  info?: unknown;
  items?: unknown;
  maxLength?: unknown;
  name?: unknown;
  oneOf?: unknown;
  openapi?: unknown;
  operationId?: unknown;
  parameters?: unknown;
  paths?: unknown;
  properties?: unknown;
  required?: unknown;
  requestBody?: unknown;
  responses?: unknown;
  schema?: unknown;
  schemas?: unknown;
  security?: unknown;
  summary?: unknown;
  tags?: unknown;
  type?: unknown;
  value?: unknown;
}

/** The openapi/ package directory. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The bundled spec (bundled/fluxra.json). */
export const spec: Json = JSON.parse(
  readFileSync(join(packageRoot, "bundled", "fluxra.json"), "utf8"),
);

/** HTTP methods an OpenAPI path item can hold. */
export const methods = httpMethods;

/** One operation of the spec with where it lives. */
export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly op: Json;
  /** JSON pointer of the operation inside the bundle. */
  readonly pointer: string;
}

/** Narrows an unknown value to a JSON object. */
export function obj(value: unknown): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  }
  return value as Json;
}

/** Escapes one JSON pointer segment. */
export const escapePointer = pointerEscape;

/** Follows a local `#/...` JSON pointer inside the bundle. */
export function at(pointer: string): unknown {
  return resolvePointer(spec, pointer.replace(/^#/, ""));
}

/** Follows `$ref`s until a non-reference object. */
export function deref(value: unknown): Json {
  return obj(walkDeref(spec, obj(value)));
}

/** Every operation in the bundle, in document order. */
export function operations(): Operation[] {
  return listOperations(spec).map(({ method, path, operation }) => ({
    method,
    path,
    op: obj(operation),
    pointer: `#/paths/${pointerEscape(path)}/${method}`,
  }));
}

/** The operation's responses keyed by status, dereferenced. */
export function responses(op: Json): Map<string, Json> {
  return new Map(Object.entries(obj(op.responses)).map(([status, r]) => [status, deref(r)]));
}

/** The operation's parameters, dereferenced. */
export function parameters(op: Json): Json[] {
  const list = op.parameters;
  return Array.isArray(list) ? list.map(deref) : [];
}

/** The `error.code` values of a response's examples (examples that are not errors are skipped). */
export function exampleCodes(response: Json): string[] {
  const media =
    response.content === undefined ? undefined : obj(response.content)["application/json"];
  if (media === undefined) return [];
  const examples = obj(media).examples;
  if (examples === undefined) return [];
  return Object.values(obj(examples)).flatMap((e) => {
    const value = obj(deref(e).value);
    return value.error === undefined ? [] : [String(obj(value.error).code)];
  });
}

/** The security scheme names an operation accepts (empty when public). */
export function securitySchemes(op: Json): string[] {
  const security = op.security;
  if (!Array.isArray(security)) throw new Error("operation without an explicit security list");
  return security.flatMap((requirement) => Object.keys(obj(requirement)));
}

/** A component of the bundle, e.g. `component("schemas", "Message")`. */
export function component(kind: string, name: string): Json {
  return obj(obj(obj(spec.components)[kind])[name]);
}
