import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../../platform/env.js";
import { createRouter } from "../../platform/openapi.js";
import { registerCredentialRoutes } from "./credentials.js";
import { registerSessionRoutes } from "./sessions.js";

/** The Auth domain: registration, api keys, token exchange, sessions, recovery, JWKS. */
export function authDomain(deps: AppDeps): OpenAPIHono<AppEnv> {
  const router = createRouter();
  registerCredentialRoutes(router, deps);
  registerSessionRoutes(router, deps);
  return router;
}
