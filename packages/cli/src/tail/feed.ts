import type { Conversation, FluxraClient, Message } from "@fluxra/sdk";

/** One event of the feed, as `client.events.stream()` yields it. */
export interface FeedEvent {
  id: string;
  type: string;
  created_at: string;
  conversation_id?: string | undefined;
  data: unknown;
}

/** Where and how to follow. */
export interface FollowOptions {
  signal: AbortSignal;
  /** Only these conversations (all of the caller's when empty). */
  conversationIds?: readonly string[];
  /** Polling interval of the fallback, in ms. */
  intervalMs?: number;
  /** Called once the feed is live: events after this moment are delivered. */
  onReady?: (transport: "events" | "polling") => void;
}

/** The Events API, typed loosely so this compiles with SDKs that do not have it yet. */
interface EventsApi {
  poll(options: { wait?: number; limit?: number; signal?: AbortSignal }): Promise<{
    next_cursor?: string | null;
  }>;
  stream(options: {
    cursor?: string;
    signal?: AbortSignal;
    transport?: "sse" | "long-poll" | "auto";
    pollIntervalMs?: number;
  }): AsyncIterable<FeedEvent>;
}

/**
 * New events for the caller: the SDK's event feed (`client.events.stream()`) when it has one,
 * otherwise `message.created` events made by polling the conversation list and catching up with
 * `messages.list({ after })`. Ends when `signal` aborts.
 */
export async function* followEvents(
  client: FluxraClient,
  options: FollowOptions,
): AsyncGenerator<FeedEvent, void, undefined> {
  const events = (client as unknown as { events?: Partial<EventsApi> }).events;
  const only = options.conversationIds?.length ? new Set(options.conversationIds) : undefined;
  if (typeof events?.stream === "function") {
    const cursor = await startingCursor(events, options.signal);
    const stream = events.stream({
      ...(cursor ? { cursor } : {}),
      signal: options.signal,
      transport: "auto",
      // The SDK has its own polling fallback for servers without the feed: same interval.
      ...(options.intervalMs ? { pollIntervalMs: options.intervalMs } : {}),
    });
    const iterator = stream[Symbol.asyncIterator]();
    // Start it, and say "ready" only once it has a position (connected, or the SDK's fallback has
    // taken its baseline): what is sent after the message is then delivered.
    let next = iterator.next();
    next.catch(() => undefined);
    await positioned(stream, options.signal);
    options.onReady?.("events");
    try {
      for (let r = await next; !r.done; r = await next) {
        const event = r.value;
        if (!only || (event.conversation_id && only.has(event.conversation_id))) yield event;
        next = iterator.next();
      }
    } finally {
      await iterator.return?.(undefined);
    }
    return;
  }
  yield* pollMessages(client, options, only);
}

/** Waits (at most 10 s) until a stream exposing `cursor` has one; streams without it do not wait. */
async function positioned(stream: object, signal: AbortSignal): Promise<void> {
  if (!("cursor" in stream)) return;
  const until = Date.now() + 10_000;
  while ((stream as { cursor?: unknown }).cursor === undefined && !signal.aborted) {
    if (Date.now() > until) return;
    await sleep(25, signal);
  }
}

/**
 * "Now" as a cursor, taken before saying the feed is live: a stream opened without one starts when
 * it connects, and events in between would be lost. Servers without the feed (the SDK then polls
 * on its own) or SDKs without `poll` give none.
 */
async function startingCursor(
  events: Partial<EventsApi>,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (typeof events.poll !== "function") return undefined;
  try {
    return (await events.poll({ wait: 0, limit: 1, signal })).next_cursor ?? undefined;
  } catch {
    return undefined;
  }
}

const messageEvent = (m: Message): FeedEvent => ({
  id: m.id,
  type: "message.created",
  created_at: m.created_at,
  conversation_id: m.conversation_id,
  data: m,
});

interface Seen {
  lastMessageId: string | undefined;
  lastMessageAt: string | null;
}

async function* pollMessages(
  client: FluxraClient,
  options: FollowOptions,
  only: ReadonlySet<string> | undefined,
): AsyncGenerator<FeedEvent, void, undefined> {
  const { signal } = options;
  const call = { signal };
  const startedAt = new Date().toISOString();
  const current = async (): Promise<Conversation[]> =>
    only
      ? Promise.all([...only].map((id) => client.conversations.get(id, call)))
      : client.conversations.list({ limit: 100 }, call).toArray();
  const seen = new Map<string, Seen>();
  const remember = (c: Conversation, lastMessageId: string | undefined) =>
    seen.set(c.id, { lastMessageId, lastMessageAt: c.last_message_at });
  try {
    for (const c of await current()) remember(c, c.last_message?.id);
    options.onReady?.("polling");
    while (!signal.aborted) {
      await sleep(options.intervalMs ?? 2_000, signal);
      for (const c of await current()) {
        const before = seen.get(c.id);
        if (
          before &&
          before.lastMessageAt === c.last_message_at &&
          before.lastMessageId === c.last_message?.id
        ) {
          continue;
        }
        const fresh = await newMessages(client, c.id, before?.lastMessageId, startedAt, signal);
        for (const m of fresh) yield messageEvent(m);
        remember(c, fresh.at(-1)?.id ?? before?.lastMessageId);
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

/**
 * Messages after `lastId`, oldest first. Without one (a conversation that was empty, or that the
 * caller joined while following) only those sent since following began count as new.
 */
async function newMessages(
  client: FluxraClient,
  conversationId: string,
  lastId: string | undefined,
  startedAt: string,
  signal: AbortSignal,
): Promise<Message[]> {
  if (lastId) {
    return client.messages
      .list(conversationId, { after: lastId, limit: 100 }, { signal })
      .toArray();
  }
  const recent: Message[] = [];
  for await (const m of client.messages.list(conversationId, { limit: 100 }, { signal })) {
    if (m.created_at < startedAt) break;
    recent.push(m);
  }
  return recent.reverse();
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
