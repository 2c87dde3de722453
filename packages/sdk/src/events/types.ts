import type { components } from "../generated/schema.js";

type Schemas = components["schemas"];

/** Splits one spec event schema (whose `type` is an enum) into one member per `type` value. */
type PerType<S extends { type: string }> = {
  [K in S["type"]]: Omit<S, "type"> & { type: K };
}[S["type"]];

/**
 * One event of the feed (`GET /api/events`), derived from the spec's `Event` union: a union
 * discriminated by `type`, so `if (e.type === "message.created")` narrows `e.data` to a `Message`.
 * Ignore types you do not know: new ones may be added.
 */
export type FeedEvent = Schemas["Event"] extends infer E
  ? E extends { type: string }
    ? PerType<E>
    : never
  : never;

/** The `type` values of {@link FeedEvent}, e.g. `"message.created"`. */
export type FeedEventType = FeedEvent["type"];

/** The event of one type: `FeedEventOf<"member.removed">["data"]` is a `Member`. */
export type FeedEventOf<T extends FeedEventType> = Extract<FeedEvent, { type: T }>;

/** One long-poll answer: the events after the cursor (oldest first) and the cursor after them. */
export type EventPage = Schemas["EventPage"];

/** How {@link EventStream} reaches the feed. */
export type EventTransport = "sse" | "long-poll" | "auto";

/** The transport a stream is actually using; `"fallback"` when the server has no `/api/events`. */
export type ActiveTransport = "sse" | "long-poll" | "fallback";
