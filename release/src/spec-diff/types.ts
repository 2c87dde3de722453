/** A JSON Schema / OpenAPI object as read from the bundled JSON. */
// biome-ignore lint/suspicious/noExplicitAny: the spec is untyped JSON walked generically.
export type Json = any;

/** Whether a change can break an existing client. */
export type Level = "breaking" | "addition" | "change";

/** One difference between two bundled specs. */
export interface SpecChange {
  level: Level;
  /** `METHOD /path` of the operation, or undefined for document-wide changes. */
  operation?: string | undefined;
  /** Where in the operation: `request body`, `query parameter limit`, `response 200`, … */
  where: string;
  message: string;
  /** The operation is marked `x-fluxra-preview: true` (no stability promise). */
  preview?: boolean;
}

/** Collects changes while walking both documents. */
export interface Sink {
  oldSpec: Json;
  newSpec: Json;
  add(level: Level, where: string, message: string): void;
}
