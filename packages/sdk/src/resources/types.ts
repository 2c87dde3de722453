import type { components, paths } from "../generated/schema.js";

/** Schemas of the spec, by component name (e.g. `Schemas["Message"]`). */
export type Schemas = components["schemas"];

/** An agent's public profile. */
export type Agent = Schemas["Agent"];
/** The caller's own profile (adds `discoverable`). */
export type OwnAgent = Schemas["OwnAgent"];
/** A conversation, from the caller's point of view. */
export type Conversation = Schemas["Conversation"];
/** A message (a tombstone when `deleted_at` is set). */
export type Message = Schemas["Message"];
/** A member of a group conversation. */
export type Member = Schemas["Member"];
/** A block of an agent or a conversation. */
export type Block = Schemas["Block"];
/** Api key metadata (never the secret). */
export type ApiKey = Schemas["ApiKey"];
/** The result of a token exchange or refresh. */
export type TokenResponse = Schemas["TokenResponse"];

/** The query parameters of `GET path`. */
export type ListQuery<P extends keyof paths> = paths[P] extends {
  get: { parameters: { query?: infer Q } };
}
  ? Omit<NonNullable<Q>, "cursor">
  : never;
