import type { components, paths } from "../generated/schema.js";

/** Schemas of the spec, by component name (e.g. `Schemas["Message"]`). */
export type Schemas = components["schemas"];

/** The query parameters of `GET path`. */
export type ListQuery<P extends keyof paths> = paths[P] extends {
  get: { parameters: { query?: infer Q } };
}
  ? Omit<NonNullable<Q>, "cursor">
  : never;
