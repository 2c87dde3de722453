import type { EventsHandlers } from "../../generated/routes.js";
import type { AppDeps } from "../../platform/env.js";
import { longPoll, sseStream, startPosition } from "./delivery.js";
import { EventHub } from "./hub.js";

/**
 * The Events handlers (preview): `GET /api/events`, one feed per agent, as long-poll or SSE.
 * None (the domain is unmounted: 404 `route_not_found`) when `config.events.enabled` is false.
 */
export function eventsHandlers(deps: AppDeps): EventsHandlers | null {
  const { config, store } = deps;
  if (!config.events.enabled) return null;
  const hub = new EventHub(store.events, config.events.keepAliveSeconds * 1000, deps.shutdown);
  startSweep(deps);
  // One request, counted once against the read limit however long it is held.
  const read = deps.guard.agent("access", "read");
  return {
    listEvents: {
      middleware: read,
      handler: async (c) => {
        const agent = c.get("caller").agentId;
        const { cursor, wait, limit } = c.req.valid("query");
        const sse = (c.req.header("accept") ?? "").includes("text/event-stream");
        const lastId = sse ? c.req.header("last-event-id") : undefined;
        const given = lastId || cursor;
        const where = lastId ? "header.Last-Event-ID" : "query.cursor";
        const position = await startPosition(deps, agent, given, where);
        if (sse) return sseStream(c, deps, hub, position) as never;
        const held = Math.min(wait, config.events.maxWaitSeconds);
        return longPoll(c, deps, hub, position, held, limit) as never;
      },
    },
  } satisfies EventsHandlers;
}

/** The retention sweep: an unref'd timer, off the request path; stops at shutdown. */
function startSweep(deps: AppDeps): void {
  const { config, store, clock } = deps;
  const timer = setInterval(() => {
    const before = clock.now() - config.events.retentionSeconds * 1000;
    store.events.sweep(before).catch(() => {
      // Database unavailable: the next run sweeps what this one could not.
    });
  }, config.events.sweepIntervalSeconds * 1000);
  timer.unref();
  deps.shutdown?.addEventListener("abort", () => clearInterval(timer), { once: true });
}
