import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import type { DomainTable } from "../generated/operations.js";
import { type SpecDomainName, specDomainNames } from "../generated/spec.js";
import type { AppDeps, AppEnv } from "../platform/env.js";
import { agentsDomain } from "./agents/index.js";
import { agentsRoutes } from "./agents/route-table.js";
import { authDomain } from "./auth/index.js";
import { authRoutes } from "./auth/route-table.js";
import { blocksDomain } from "./blocks/index.js";
import { blocksRoutes } from "./blocks/route-table.js";
import { chatDomain } from "./chat/index.js";
import { chatRoutes } from "./chat/route-table.js";
import { eventsDomain } from "./events/index.js";
import { eventsRoutes } from "./events/route-table.js";
import { healthDomain } from "./health/index.js";
import { healthRoutes } from "./health/route-table.js";

/** A domain: builds its router (routes registered with `router.openapi`) from the shared deps. */
export type Domain = (deps: AppDeps) => OpenAPIHono<AppEnv>;

/**
 * Each domain folder's router, by the spec domain it serves. The keys are checked against the
 * spec's tags (generated/spec.ts): a tag without its folder here, or a folder the spec has no
 * tag for, does not compile. Adding a domain = its folder and one line here.
 */
export const domainRouters = {
  health: healthDomain,
  auth: authDomain,
  agents: agentsDomain,
  chat: chatDomain,
  blocks: blocksDomain,
  events: eventsDomain,
} satisfies Record<SpecDomainName, Domain>;

/**
 * Each domain's route table (its `route-table.ts`), by spec domain: every operationId of the
 * domain's tag (generated/operations.ts) has its route, checked at compile time.
 */
export const domainRoutes: { [D in SpecDomainName]: DomainTable<D, RouteConfig> } = {
  health: healthRoutes,
  auth: authRoutes,
  agents: agentsRoutes,
  chat: chatRoutes,
  blocks: blocksRoutes,
  events: eventsRoutes,
};

/** Every domain the server serves, in the spec's tag order. */
export const domains: readonly Domain[] = specDomainNames.map((name) => domainRouters[name]);
