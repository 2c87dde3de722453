import type { Context } from "hono";
import { callerOf } from "../../platform/auth/middleware.js";
import type { AppDeps, AppEnv } from "../../platform/env.js";
import { ApiError, validationError } from "../../platform/errors.js";
import { jsonText } from "../../platform/openapi.js";
import type { EventHub } from "./hub.js";
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

/**
 * Server-Sent Events: a start frame with the position, then one frame per event (its `id:` the
 * cursor after it), a shared keep-alive, and a clean end on shutdown or when the client leaves.
 */
export function sseStream(
  c: Context<AppEnv>,
  deps: AppDeps,
  hub: EventHub,
  position: number,
): Response {
  const agent = callerOf(c).agentId;
  const scope = cursorScope(agent);
  const encoder = new TextEncoder();
  const waiter = hub.register(agent);
  let open = true;
  let stopKeepAlive = () => {};
  const finish = () => {
    if (!open) return;
    open = false;
    stopKeepAlive();
    waiter.dispose();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // The response stream is already gone (the client left): stop this stream.
          finish();
          waiter.fire();
        }
      };
      stopKeepAlive = hub.addStream(() => send(SSE_KEEP_ALIVE));
      send(sseStartFrame(deps.cursors.encode(scope, String(position))));
      void (async () => {
        let at = position;
        try {
          while (open && !hub.closed) {
            const page = await deps.store.events.page(agent, at, streamPage);
            for (const event of page.events) {
              const type = /"type":"([a-z.]+)"/.exec(event.json)?.[1] ?? "message";
              send(sseEventFrame(deps.cursors.encode(scope, String(event.pos)), type, event.json));
            }
            at = page.next;
            if (page.events.length < streamPage) await waiter.wait(Number.POSITIVE_INFINITY);
          }
        } catch (err) {
          // The database failed mid-stream: end it; the client reconnects with its last id.
          console.error(err);
        }
        const wasOpen = open;
        finish();
        try {
          if (wasOpen) controller.close();
        } catch {
          // already closed by the client's departure
        }
      })();
    },
    cancel() {
      finish();
    },
  });
  return c.body(body, 200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
  });
}
