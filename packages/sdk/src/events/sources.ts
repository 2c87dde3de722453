import type { RawClient } from "../client.js";
import { APIConnectionError, APIError, FluxraError } from "../core/error.js";
import { redact } from "../core/redact.js";
import { formatPosition, parsePosition } from "./cursor.js";
import { readSse } from "./sse-parser.js";
import type { EventPage, FeedEvent } from "./types.js";

/** One step of a source: an event with the cursor after it, or only a new cursor. */
export interface Delivery {
  event?: FeedEvent | undefined;
  cursor: string;
}

/** What every source gets from the stream. */
export interface SourceContext {
  raw: RawClient;
  /** Aborted when the stream closes. */
  signal: AbortSignal;
  /** Long-poll `wait` in seconds. */
  wait: number;
  limit: number | undefined;
  /** Reconnect after an SSE stream went silent this long (ms). */
  heartbeatTimeoutMs: number;
  /** Updated from the server's `retry:` field. */
  retryMs: number;
  setTimer(fn: () => void, ms: number): () => void;
}

/** The server answered without an event stream (an old proxy, or no `fetch` streams here). */
export class SseUnavailableError extends FluxraError {
  override name = "SseUnavailableError";
}

/** The transport's per-attempt timeout for a long-poll: longer than `wait`, or it would cut it. */
export const pollTimeout = (wait: number) => wait * 1000 + 15_000;

/** A connection lost while reading a body surfaces from `fetch` as a bare `TypeError`. */
function bodyFailure(cause: unknown): never {
  if (cause instanceof FluxraError) throw cause;
  throw new APIConnectionError(redact(`Connection lost: ${String(cause)}`), cause);
}

/** One `GET /api/events` long-poll. @throws {APIError} the subclass for the status. */
export async function fetchPage(
  raw: RawClient,
  query: { cursor?: string | undefined; wait?: number | undefined; limit?: number | undefined },
  signal: AbortSignal | undefined,
  maxRetries?: number,
): Promise<EventPage> {
  const clean = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
  const { data, error, response } = await raw
    .GET("/api/events", {
      params: { query: clean },
      ...(signal ? { signal } : {}),
      fluxra: { timeout: pollTimeout(query.wait ?? 0), maxRetries },
    } as Parameters<RawClient["GET"]>[1])
    .catch(bodyFailure);
  if (!response.ok) throw APIError.generate(response.status, error, undefined, response.headers);
  return data as unknown as EventPage;
}

/** The feed by long-poll: one request per page, held open up to `wait` seconds when idle. */
export async function* longPollSource(
  ctx: SourceContext,
  from: string | undefined,
): AsyncGenerator<Delivery, void, undefined> {
  let { server, skip } = parsePosition(from);
  for (;;) {
    const page = await fetchPage(
      ctx.raw,
      { cursor: server, wait: server === undefined ? 0 : ctx.wait, limit: ctx.limit },
      ctx.signal,
      0,
    );
    const requested = server;
    const last = page.data.length - 1;
    for (const [i, event] of page.data.entries()) {
      if (skip > 0) {
        skip--;
        continue;
      }
      const cursor =
        i === last || requested === undefined ? page.next_cursor : formatPosition(requested, i + 1);
      yield { event: event as FeedEvent, cursor };
    }
    skip = 0;
    server = page.next_cursor;
    if (last === -1) yield { cursor: server };
  }
}

/** The feed as Server-Sent Events over a `fetch` stream. */
export async function* sseSource(
  ctx: SourceContext,
  from: string | undefined,
): AsyncGenerator<Delivery, void, undefined> {
  const { server, skip: skipped } = parsePosition(from);
  let skip = skipped;
  // A silent connection (no event, no keep-alive) is dead: abort it and let the stream reconnect.
  const local = new AbortController();
  const onAbort = () => local.abort(ctx.signal.reason);
  if (ctx.signal.aborted) local.abort(ctx.signal.reason);
  else ctx.signal.addEventListener("abort", onAbort, { once: true });
  let cancelIdle = () => {};
  let idle = false;
  const armIdle = () => {
    cancelIdle();
    cancelIdle = ctx.setTimer(() => {
      idle = true;
      local.abort();
    }, ctx.heartbeatTimeoutMs);
  };
  try {
    armIdle();
    const { error, response } = await ctx.raw.GET("/api/events", {
      params: { query: server === undefined ? {} : { cursor: server } },
      headers: { Accept: "text/event-stream" },
      parseAs: "stream",
      signal: local.signal,
      fluxra: { maxRetries: 0 },
    } as Parameters<RawClient["GET"]>[1]);
    if (!response.ok) throw APIError.generate(response.status, error, undefined, response.headers);
    const type = response.headers.get("content-type") ?? "";
    if (!response.body || !type.startsWith("text/event-stream")) {
      await response.body?.cancel();
      throw new SseUnavailableError("The server did not answer with an event stream.");
    }
    for await (const item of readSse(response.body, armIdle)) {
      if (item.kind === "retry") ctx.retryMs = item.ms;
      else if (item.kind === "id" && skip === 0) yield { cursor: item.id };
      else if (item.kind === "message") {
        if (skip > 0) {
          skip--;
          continue;
        }
        let event: FeedEvent;
        try {
          event = JSON.parse(item.message.data) as FeedEvent;
        } catch (cause) {
          throw new FluxraError(`Malformed event data from the server: ${String(cause)}`);
        }
        yield { event, cursor: item.message.id };
      }
    }
  } catch (cause) {
    if (idle && !ctx.signal.aborted) {
      throw new APIConnectionError("The event stream went silent.", cause);
    }
    bodyFailure(cause);
  } finally {
    cancelIdle();
    ctx.signal.removeEventListener("abort", onAbort);
  }
}
