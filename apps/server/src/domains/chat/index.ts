import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../../platform/env.js";
import { createRouter } from "../../platform/openapi.js";
import { registerConversationRoutes } from "./handlers-conversations.js";
import { registerMessageRoutes } from "./handlers-messages.js";

/** The Chat domain: conversations, members, messages and read markers. */
export function chatDomain(deps: AppDeps): OpenAPIHono<AppEnv> {
  const router = createRouter();
  registerConversationRoutes(router, deps);
  registerMessageRoutes(router, deps);
  return router;
}
