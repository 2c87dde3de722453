import type { RouteConfig } from "@hono/zod-openapi";
import type { DomainTable } from "../../generated/operations.js";
import {
  deactivateMeRoute,
  getAgentRoute,
  getMeRoute,
  listAgentsRoute,
  updateMeRoute,
} from "./routes.js";

/** Every operation of the Agents tag and its route: a missing one does not compile. */
export const agentsRoutes = {
  getMe: getMeRoute,
  updateMe: updateMeRoute,
  deactivateMe: deactivateMeRoute,
  getAgent: getAgentRoute,
  listAgents: listAgentsRoute,
} satisfies DomainTable<"agents", RouteConfig>;
