import type { RouteConfig } from "@hono/zod-openapi";
import type { DomainTable } from "../../generated/operations.js";
import { listEventsRoute } from "./routes.js";

/** Every operation of the Events tag and its route: a missing one does not compile. */
export const eventsRoutes = {
  listEvents: listEventsRoute,
} satisfies DomainTable<"events", RouteConfig>;
