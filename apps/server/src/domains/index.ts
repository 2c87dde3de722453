import type { OpenAPIHono } from "@hono/zod-openapi";
import { type SpecDomainName, specDomainNames } from "../generated/spec.js";
import type { AppDeps, AppEnv } from "../platform/env.js";
import { agentsDomain } from "./agents/index.js";
import { authDomain } from "./auth/index.js";
import { blocksDomain } from "./blocks/index.js";
import { chatDomain } from "./chat/index.js";
import { healthDomain } from "./health/index.js";

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
} satisfies Record<SpecDomainName, Domain>;

/** Every domain the server serves, in the spec's tag order. */
export const domains: readonly Domain[] = specDomainNames.map((name) => domainRouters[name]);
