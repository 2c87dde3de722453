import type { RawClient } from "../client.js";
import { sleepOn, systemClock } from "../core/clock.js";
import { APIError, APIUserAbortError, retryAfterMs } from "../core/error.js";
import { isFallbackCursor } from "./cursor.js";
import { fallbackSource } from "./fallback.js";
import {
  type Delivery,
  longPollSource,
  type SourceContext,
  SseUnavailableError,
  sseSource,
} from "./sources.js";
import type { ActiveTransport, EventTransport, FeedEvent } from "./types.js";

/** Options of `client.events.stream()`. */
export interface EventStreamOptions {
  /**
   * Resume after this cursor (a previous stream's `cursor`); omit to start at "now". Every event
   * after it is yielded exactly once.
   */
  cursor?: string | undefined;
  /** Closes the stream like `close()`: the loop ends (a pending `next()` resolves as done). */
  signal?: AbortSignal | undefined;
  /**
   * `"auto"` (default): Server-Sent Events, long-poll where `fetch` cannot stream, and the
   * conversation-polling fallback when the server has no `/api/events`. `"sse"`/`"long-poll"`:
   * only that transport (a server without the feed raises its 404 `NotFoundError`).
   */
  transport?: EventTransport | undefined;
  /** Long-poll: seconds each request waits for an event, 1-60 (default 30). */
  wait?: number | undefined;
  /** Long-poll: events per request, 1-100 (server default when omitted). */
  limit?: number | undefined;
  /** Fallback: ms between conversation polls (default 5 000). */
  pollIntervalMs?: number | undefined;
  /** SSE: reconnect when nothing (not even a keep-alive) arrived for this long (default 45 000 ms). */
  heartbeatTimeoutMs?: number | undefined;
  /** Reconnect backoff: first delay and cap in ms (defaults 500 and 30 000), with jitter. */
  reconnect?: { initialDelayMs?: number | undefined; maxDelayMs?: number | undefined } | undefined;
}

const RETRYABLE = new Set([408, 425, 429]);

/** Whether reconnecting can help: network failures, silent streams, 408/429 and any 5xx. */
function retryable(error: unknown): boolean {
  if (error instanceof APIUserAbortError) return false;
  if (!(error instanceof APIError)) return false;
  if (error.status === undefined) return true;
  return RETRYABLE.has(error.status) || error.status >= 500;
}

const routeMissing = (error: unknown) =>
  error instanceof APIError && error.status === 404 && error.code === "route_not_found";

/**
 * A live, typed event feed: iterate it with `for await`. It reconnects on its own (jittered
 * exponential backoff, honouring `Retry-After`), resumes from the last delivered event, and stops
 * on `break`, `close()` or the `signal`. Errors it cannot recover from are thrown from the loop:
 * `CursorExpiredError` (resync, then start without a cursor), `AuthenticationError`, …
 *
 * @example
 * const stream = client.events.stream({ cursor: await load() });
 * for await (const event of stream) {
 *   if (event.type === "message.created") console.log(event.data.content);
 *   await save(stream.cursor);
 * }
 */
export class EventStream implements AsyncIterable<FeedEvent> {
  readonly #raw: RawClient;
  readonly #options: EventStreamOptions;
  readonly #controller = new AbortController();
  #cursor: string | undefined;
  #transport: ActiveTransport | undefined;
  #started = false;

  constructor(raw: RawClient, options: EventStreamOptions = {}) {
    this.#raw = raw;
    this.#options = options;
    this.#cursor = options.cursor;
    const signal = options.signal;
    if (signal?.aborted) this.#controller.abort(signal.reason);
    signal?.addEventListener("abort", () => this.#controller.abort(signal.reason), { once: true });
  }

  /**
   * The cursor after the last event yielded (or the start position once connected): persist it
   * after handling an event and pass it as `cursor` to resume exactly after that event.
   */
  get cursor(): string | undefined {
    return this.#cursor;
  }

  /** The transport in use: `"sse"`, `"long-poll"`, or `"fallback"` (server without the feed). */
  get transport(): ActiveTransport | undefined {
    return this.#transport;
  }

  /** Closes the connection now; a pending `next()` ends the iteration. */
  close(): void {
    this.#controller.abort();
  }

  [Symbol.asyncIterator](): AsyncGenerator<FeedEvent, void, undefined> {
    if (this.#started) throw new TypeError("An EventStream can be iterated only once.");
    this.#started = true;
    return this.#run();
  }

  async *#run(): AsyncGenerator<FeedEvent, void, undefined> {
    const o = this.#options;
    const signal = this.#controller.signal;
    const initialDelay = o.reconnect?.initialDelayMs ?? 500;
    const maxDelay = o.reconnect?.maxDelayMs ?? 30_000;
    const ctx: SourceContext = {
      raw: this.#raw,
      signal,
      wait: o.wait ?? 30,
      limit: o.limit,
      heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? 45_000,
      retryMs: 3000,
      setTimer: systemClock.setTimer,
    };
    const sleep = (ms: number) => sleepOn(systemClock.setTimer, ms, signal);
    const requested = o.transport ?? "auto";
    let mode: ActiveTransport =
      requested === "long-poll" ? "long-poll" : isFallbackCursor(this.#cursor) ? "fallback" : "sse";
    if (requested !== "auto" && mode === "fallback") {
      throw new TypeError(`This cursor was issued by the fallback; it needs transport "auto".`);
    }
    let failures = 0;
    try {
      for (;;) {
        if (signal.aborted) return;
        this.#transport = mode;
        const source: AsyncGenerator<Delivery> =
          mode === "sse"
            ? sseSource(ctx, this.#cursor)
            : mode === "long-poll"
              ? longPollSource(ctx, this.#cursor)
              : fallbackSource(
                  { ...ctx, intervalMs: o.pollIntervalMs ?? 5000, sleep },
                  this.#cursor,
                );
        try {
          for await (const delivery of source) {
            failures = 0;
            this.#cursor = delivery.cursor;
            if (delivery.event) yield delivery.event;
          }
          // The server ended the stream cleanly (e.g. shutting down): come back after `retry:`.
          await sleep(ctx.retryMs * (0.75 + Math.random() * 0.5));
        } catch (error) {
          if (signal.aborted) return;
          if (requested === "auto" && mode !== "fallback" && routeMissing(error)) {
            mode = "fallback";
            continue;
          }
          if (requested === "auto" && error instanceof SseUnavailableError) {
            mode = "long-poll";
            continue;
          }
          if (!retryable(error)) throw error;
          const asked =
            error instanceof APIError ? retryAfterMs(error.headers, error.body) : undefined;
          const backoff = Math.min(initialDelay * 2 ** failures, maxDelay);
          failures++;
          // "Equal jitter": at least half the backoff, so a crowd of bots does not reconnect at once.
          await sleep(asked ?? backoff * (0.5 + Math.random() * 0.5));
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    } finally {
      this.#controller.abort();
    }
  }
}
