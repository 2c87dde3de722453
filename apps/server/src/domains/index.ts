import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import { folderHandlers } from "../generated/domains.js";
import { type DomainHandlers, type Operation, routes } from "../generated/routes.js";
import { type SpecDomainName, specDomainNames } from "../generated/spec.js";
import type { AppDeps, AppEnv } from "../platform/env.js";
import { createRouter, mountDomain } from "../platform/openapi.js";

/** A domain: builds its router from the shared deps. */
export type Domain = (deps: AppDeps) => OpenAPIHono<AppEnv>;

/**
 * Each domain folder's handlers (its `handlers.ts`), by the spec domain it serves: derived by the
 * generator from the folders (generated/domains.ts), so a new domain's folder is picked up without
 * an edit here. Each factory's result is checked against the tag's generated handler interface
 * (generated/routes.ts): a tag without its folder or a missing handler does not
 * compile. `null`: the domain is switched off by configuration (its routes answer 404
 * `route_not_found`).
 */
export const domainHandlers: {
  [D in SpecDomainName]: (deps: AppDeps) => DomainHandlers[D] | null;
} = folderHandlers;

type RouteTable = Readonly<Record<string, RouteConfig>>;
type Handlers = { readonly [operationId: string]: Operation<RouteConfig> };

/** The router of spec domain `name`: its generated routes with its handlers. */
function domainRouter(name: SpecDomainName): Domain {
  return (deps) => {
    const router = createRouter();
    const handlers = domainHandlers[name](deps);
    if (handlers !== null) {
      // One domain at a time: TypeScript cannot pair routes[name] with handlers of the same name.
      mountDomain(router, routes[name] as RouteTable, handlers as unknown as Handlers);
    }
    return router;
  };
}

/** Each domain's router, by spec domain. */
export const domainRouters = Object.fromEntries(
  specDomainNames.map((name) => [name, domainRouter(name)]),
) as Record<SpecDomainName, Domain>;

/** Each domain's generated routes, by spec domain (every operationId of its tag). */
export const domainRoutes: { [D in SpecDomainName]: Readonly<Record<string, RouteConfig>> } =
  routes;

/** Every domain the server serves, in the spec's tag order. */
export const domains: readonly Domain[] = specDomainNames.map((name) => domainRouters[name]);
