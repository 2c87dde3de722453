import type { HealthHandlers } from "../../generated/routes.js";
import { apiVersion as version } from "../../generated/spec.js";
import { toTimestamp } from "../../platform/clock.js";
import type { AppDeps } from "../../platform/env.js";

/** The Health handlers: `GET /health`, answered without authentication or rate limits. */
export function healthHandlers(deps: AppDeps): HealthHandlers {
  return {
    getHealth: {
      handler: async (c) => {
        const timestamp = toTimestamp(deps.clock.now());
        try {
          await deps.store.platform.ping();
        } catch (err) {
          // A lost connection is reopened by the next request (SQLite); pools reconnect themselves.
          deps.store.reportFailure?.(err);
          return c.json({ status: "unhealthy" as const, timestamp, version }, 503);
        }
        return c.json({ status: "healthy" as const, timestamp, version }, 200);
      },
    },
  } satisfies HealthHandlers;
}
