import type { FluxraClient } from "@fluxra/sdk";
import type { WaitTarget } from "./check.js";

/** One event of the feed, as much of it as waiting needs. */
interface FeedEvent {
  type: string;
  conversation_id?: string | null;
}

/**
 * The part of the SDK's event feed used here. Typed locally on purpose: the feed is a preview that
 * not every SDK version has, and this package must build and run against both.
 */
export interface EventFeed {
  poll(options: {
    cursor?: string;
    wait?: number;
    limit?: number;
    signal?: AbortSignal;
  }): Promise<{ data: FeedEvent[]; next_cursor: string }>;
}

/** `client.events` when this SDK has a long-poll event feed, else `undefined`. */
export function eventsOf(client: FluxraClient): EventFeed | undefined {
  const events = (client as { events?: Partial<EventFeed> }).events;
  return typeof events?.poll === "function" ? (events as EventFeed) : undefined;
}

/**
 * Long-polls from `cursor` until a `message.created` event that may concern `target` arrives;
 * returns the cursor after it (the caller then reads the messages themselves through the REST
 * API), or `undefined` at the deadline.
 */
export async function nextMessageEvent(
  events: EventFeed,
  cursor: string,
  target: WaitTarget & { signal: AbortSignal },
  deadline: number,
): Promise<string | undefined> {
  let at = cursor;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    // The feed holds a poll for at most 60 s; wake a little after the deadline rather than before.
    const wait = Math.min(60, Math.ceil(left / 1000));
    const page = await events.poll({ cursor: at, wait, signal: target.signal });
    const relevant = page.data.some(
      (e) =>
        e.type === "message.created" &&
        (!target.conversationId || e.conversation_id === target.conversationId),
    );
    if (relevant) return page.next_cursor;
    at = page.next_cursor;
  }
}
