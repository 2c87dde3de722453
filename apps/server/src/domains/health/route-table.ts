import type { RouteConfig } from "@hono/zod-openapi";
import type { DomainTable } from "../../generated/operations.js";
import { getHealthRoute } from "./routes.js";

/** Every operation of the Health tag and its route: a missing one does not compile. */
export const healthRoutes = {
  getHealth: getHealthRoute,
} satisfies DomainTable<"health", RouteConfig>;
