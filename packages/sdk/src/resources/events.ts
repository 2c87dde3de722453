import type { RawClient } from "../client.js";
import { fetchPage } from "../events/sources.js";
import { EventStream, type EventStreamOptions } from "../events/stream.js";
import type { EventPage } from "../events/types.js";

/** Options of `client.events.poll()`. */
export interface EventPollOptions {
  /** `next_cursor` of the previous page; omit to start at "now". */
  cursor?: string | undefined;
  /** Seconds to hold the request when nothing is pending, 0-60 (default 0). */
  wait?: number | undefined;
  /** Events per page, 1-100. */
  limit?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The event feed (preview extension of 0.4.0: a server without it answers 404 `route_not_found`).
 */
export function eventsResource(raw: RawClient) {
  return {
    /**
     * A live feed of typed events: Server-Sent Events, long-poll, or (against a server without
     * `/api/events`, with `transport: "auto"`) a `message.created`-only emulation by polling.
     * @example for await (const e of client.events.stream()) console.log(e.type);
     */
    stream: (options?: EventStreamOptions) => new EventStream(raw, options),

    /**
     * One long-poll: the events after `cursor` (at most `limit`), waiting up to `wait` seconds for
     * one when none is pending. Always returns a `next_cursor` to continue from.
     * @throws {CursorExpiredError} the cursor is older than the retention window.
     * @throws {NotFoundError} `route_not_found`: the server does not serve the feed.
     */
    poll: (options: EventPollOptions = {}): Promise<EventPage> =>
      fetchPage(
        raw,
        { cursor: options.cursor, wait: options.wait, limit: options.limit },
        options.signal,
      ),
  };
}
