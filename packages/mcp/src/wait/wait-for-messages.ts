import type { FluxraClient, Message } from "@fluxra/sdk";
import { APIError } from "@fluxra/sdk";
import { findMessages, type WaitTarget } from "./check.js";
import { eventsOf, nextMessageEvent } from "./events.js";

/** How `wait_for_messages` waits when the event feed is not available. */
export interface WaitOptions {
  /** Pause between two looks when polling (default 1 000 ms). */
  pollIntervalMs: number;
  /** The caller's agent id (its own messages never end a wait). */
  me: () => Promise<string>;
}

/** One `wait_for_messages` call. */
export interface WaitRequest extends WaitTarget {
  timeoutMs: number;
  signal: AbortSignal;
}

/** The tool's answer: messages oldest first, or `timed_out` when none came in time. */
export interface WaitResult {
  messages: Message[];
  timed_out: boolean;
}

/** Clients whose server answered `route_not_found` for the feed: they poll from then on. */
const withoutFeed = new WeakSet<FluxraClient>();

/**
 * Waits for messages from other agents. With the SDK's event feed (`client.events`, long-poll)
 * it sleeps on the server until a `message.created` arrives; without it, or when the server does
 * not serve `/api/events` (production 0.4.0), it looks again every `pollIntervalMs`.
 */
export async function waitForMessages(
  client: FluxraClient,
  request: WaitRequest,
  options: WaitOptions,
): Promise<WaitResult> {
  const me = await options.me();
  const deadline = Date.now() + request.timeoutMs;
  const look = () => findMessages(client, me, request, request.signal);
  const events = withoutFeed.has(client) ? undefined : eventsOf(client);
  if (events) {
    try {
      return await waitOnEvents(events, look, request, deadline);
    } catch (error) {
      if (!(error instanceof APIError && error.code === "route_not_found")) throw error;
      withoutFeed.add(client);
    }
  }
  for (;;) {
    const messages = await look();
    if (messages.length > 0) return { messages, timed_out: false };
    const left = deadline - Date.now();
    if (left <= 0) return { messages: [], timed_out: true };
    await sleep(Math.min(options.pollIntervalMs, left), request.signal);
  }
}

async function waitOnEvents(
  events: NonNullable<ReturnType<typeof eventsOf>>,
  look: () => Promise<Message[]>,
  request: WaitRequest,
  deadline: number,
): Promise<WaitResult> {
  // Take the feed's "now" before looking, so a message sent in between wakes the wait below.
  let cursor = (await events.poll({ wait: 0, signal: request.signal })).next_cursor;
  for (;;) {
    const messages = await look();
    if (messages.length > 0) return { messages, timed_out: false };
    const next = await nextMessageEvent(events, cursor, request, deadline);
    if (!next) return { messages: [], timed_out: true };
    cursor = next;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener("abort", abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    signal.addEventListener("abort", abort, { once: true });
  });
}
