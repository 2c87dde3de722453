import type { Context } from "hono";
import { callerOf } from "../../platform/auth/middleware.js";
import type { AppDeps, AppEnv } from "../../platform/env.js";
import { ApiError, validationError } from "../../platform/errors.js";
import { jsonText } from "../../platform/openapi.js";
import type { EventHub, KeepAliveSlot, Waiter } from "./hub.js";
import {
  cursorScope,
  isExpired,
  parsePosition,
  SSE_KEEP_ALIVE,
  sseEventFrame,
  sseStartFrame,
} from "./rules.js";

/** SSE pages are read at most this many events at a time. */
const streamPage = 100;

/**
 * Where the feed starts: the cursor's position (after checking it was issued to this agent and
 * is not older than the retention window), or "now" without one.
 */
export async function startPosition(
  deps: AppDeps,
  agent: string,
  cursor: string | undefined,
  where: string,
): Promise<number> {
  if (cursor === undefined) return deps.store.events.head();
  const refused = () => validationError(where, "This cursor was not issued for this feed.");
  let decoded: string;
  try {
    decoded = deps.cursors.decode(cursorScope(agent), cursor);
  } catch {
    throw refused();
  }
  const position = parsePosition(decoded);
  if (position === undefined) throw refused();
  if (isExpired(position, await deps.store.events.horizon())) {
    throw new ApiError(
      "cursor_expired",
      "This cursor is older than the event retention window; resynchronise with the list endpoints, then start a new feed without a cursor.",
    );
  }
  return position;
}

/**
 * Long-poll: answers at once when events are pending, else holds the request until one of the
 * agent's events commits (woken by the hub, no polling), `wait` elapses or the server shuts down.
 */
export async function longPoll(
  c: Context<AppEnv>,
  deps: AppDeps,
  hub: EventHub,
  position: number,
  waitSeconds: number,
  limit: number,
): Promise<Response> {
  const agent = callerOf(c).agentId;
  const deadline = Date.now() + waitSeconds * 1000;
  const waiter = hub.register(agent);
  const aborted = () => waiter.fire();
  const signal = c.req.raw.signal;
  signal.addEventListener("abort", aborted);
  let at = position;
  try {
    for (;;) {
      const page = await deps.store.events.page(agent, at, limit);
      at = page.next;
      const left = deadline - Date.now();
      if (page.events.length > 0 || left <= 0 || hub.closed || signal.aborted) {
        const cursor = deps.cursors.encode(cursorScope(agent), String(at));
        const data = page.events.map((e) => e.json).join(",");
        return jsonText(c, `{"data":[${data}],"next_cursor":${JSON.stringify(cursor)}}`, 200);
      }
      await waiter.wait(left);
    }
  } finally {
    signal.removeEventListener("abort", aborted);
    waiter.dispose();
  }
}

/** One encoder for every stream (it holds no state). */
const encoder = new TextEncoder();

/**
 * Server-Sent Events: a start frame with the position, then one frame per event (its `id:` the
 * cursor after it), the hub's shared keep-alive, and a clean end on shutdown or when the client
 * leaves. A held stream is one {@link SseFeed} (its state, the web stream's underlying source and
 * its keep-alive slot in one object) plus the stream and the hub's waiter: no per-stream closures
 * or timers.
 */
export function sseStream(
  c: Context<AppEnv>,
  deps: AppDeps,
  hub: EventHub,
  position: number,
): Response {
  const feed = new SseFeed(deps, hub, callerOf(c).agentId, position);
  return c.body(new ReadableStream<Uint8Array>(feed), 200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
  });
}

/** One held SSE stream: the web stream's source, the feed's read loop and its keep-alive slot. */
class SseFeed implements UnderlyingDefaultSource<Uint8Array>, KeepAliveSlot {
  lastWrite = Date.now();
  private open = true;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private readonly waiter: Waiter;
  private stopKeepAlive: (() => void) | undefined;
  private readonly scope: string;

  constructor(
    private readonly deps: AppDeps,
    private readonly hub: EventHub,
    private readonly agent: string,
    private at: number,
  ) {
    this.scope = cursorScope(agent);
    this.waiter = hub.register(agent);
  }

  start(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.controller = controller;
    this.stopKeepAlive = this.hub.addStream(this);
    this.write(sseStartFrame(this.deps.cursors.encode(this.scope, String(this.at))));
    void this.run();
  }

  /** The client left. */
  cancel(): void {
    this.finish();
  }

  ping(): void {
    this.write(SSE_KEEP_ALIVE);
  }

  private write(text: string): void {
    if (!this.open) return;
    this.lastWrite = Date.now();
    try {
      this.controller?.enqueue(encoder.encode(text));
    } catch {
      // The response stream is already gone (the client left): stop this stream.
      this.finish();
    }
  }

  /** Reads and writes the feed until the stream ends: woken by the hub, never by a timer. */
  private async run(): Promise<void> {
    const { deps, hub, agent, scope } = this;
    try {
      while (this.open && !hub.closed) {
        const page = await deps.store.events.page(agent, this.at, streamPage);
        for (const event of page.events) {
          const type = /"type":"([a-z.]+)"/.exec(event.json)?.[1] ?? "message";
          this.write(
            sseEventFrame(deps.cursors.encode(scope, String(event.pos)), type, event.json),
          );
        }
        this.at = page.next;
        if (page.events.length < streamPage) await this.waiter.wait(Number.POSITIVE_INFINITY);
      }
    } catch (err) {
      // The database failed mid-stream: end it; the client reconnects with its last id.
      console.error(err);
    }
    const wasOpen = this.open;
    this.finish();
    try {
      if (wasOpen) this.controller?.close();
    } catch {
      // already closed by the client's departure
    }
  }

  private finish(): void {
    if (!this.open) return;
    this.open = false;
    this.stopKeepAlive?.();
    this.waiter.dispose();
  }
}
