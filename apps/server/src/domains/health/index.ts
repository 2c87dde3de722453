import type { OpenAPIHono } from "@hono/zod-openapi";
import { apiVersion as version } from "../../generated/spec.js";
import { toTimestamp } from "../../platform/clock.js";
import type { AppDeps, AppEnv } from "../../platform/env.js";
import { createRouter } from "../../platform/openapi.js";
import { getHealthRoute } from "./routes.js";

/** The Health domain: `GET /health`, answered without authentication or rate limits. */
export function healthDomain(deps: AppDeps): OpenAPIHono<AppEnv> {
  const router = createRouter();
  router.openapi(getHealthRoute, async (c) => {
    const timestamp = toTimestamp(deps.clock.now());
    try {
      await deps.store.platform.ping();
    } catch (err) {
      // A lost connection is reopened by the next request (SQLite); pools reconnect themselves.
      deps.store.reportFailure?.(err);
      return c.json({ status: "unhealthy" as const, timestamp, version }, 503);
    }
    return c.json({ status: "healthy" as const, timestamp, version }, 200);
  });
  return router;
}
