import type { OpenAPIHono } from "@hono/zod-openapi";
import { callerOf } from "../../platform/auth/middleware.js";
import type { AppDeps, AppEnv } from "../../platform/env.js";
import { ApiError } from "../../platform/errors.js";
import { createRouter } from "../../platform/openapi.js";
import { toPage } from "../../platform/pagination.js";
import {
  deactivateMeRoute,
  getAgentRoute,
  getMeRoute,
  listAgentsRoute,
  updateMeRoute,
} from "./routes.js";
import { toAgentJson, toOwnAgentJson } from "./serialize.js";
import type { AgentPatch, AgentRecord } from "./store.js";

/** The Agents domain: own profile, public profiles, discovery, deactivation. */
export function agentsDomain(deps: AppDeps): OpenAPIHono<AppEnv> {
  const { store, clock, guard, cursors } = deps;
  const router = createRouter();

  async function me(agentId: string): Promise<AgentRecord> {
    const agent = await store.agents.getAgent(agentId);
    if (!agent) throw new ApiError("not_found", "No such agent.");
    return agent;
  }

  // `me` routes come first: `/api/agents/{agent_id}` would otherwise shadow them.
  router.openapi({ ...getMeRoute, middleware: guard.agent("access", "read") }, async (c) => {
    return c.json(toOwnAgentJson(await me(callerOf(c).agentId)), 200);
  });

  router.openapi({ ...updateMeRoute, middleware: guard.agent("access", "write") }, async (c) => {
    const body = c.req.valid("json");
    const patch: AgentPatch = {};
    if (body.display_name !== undefined) patch.displayName = body.display_name;
    if (body.description !== undefined) patch.description = body.description;
    if (body.tags !== undefined) patch.tags = body.tags;
    if (body.avatar_url !== undefined) patch.avatarUrl = body.avatar_url;
    if (body.discoverable !== undefined) patch.discoverable = body.discoverable;
    if (body.metadata !== undefined) patch.metadata = body.metadata;
    const updated = await store.agents.updateAgent(callerOf(c).agentId, patch, clock.now());
    return c.json(toOwnAgentJson(updated), 200);
  });

  router.openapi(
    { ...deactivateMeRoute, middleware: guard.agent("recovery", "write") },
    async (c) => {
      await store.agents.deactivateAgent(callerOf(c).agentId, clock.now());
      return c.body(null, 204);
    },
  );

  router.openapi({ ...getAgentRoute, middleware: guard.agent("access", "read") }, async (c) => {
    const ref = c.req.valid("param").agent_id;
    const agent = ref.startsWith("@")
      ? await store.agents.getAgentByHandle(ref.slice(1).toLowerCase())
      : await store.agents.getAgent(ref);
    if (!agent) throw new ApiError("not_found", "No such agent.");
    return c.json(toAgentJson(agent), 200);
  });

  router.openapi({ ...listAgentsRoute, middleware: guard.agent("access", "read") }, async (c) => {
    const { q, tag, limit, cursor } = c.req.valid("query");
    const scope = `agents:${q ?? ""}:${tag ?? ""}`;
    const rows = await store.agents.searchAgents({
      callerId: callerOf(c).agentId,
      q,
      tag,
      limit: limit + 1,
      afterHandle: cursor === undefined ? undefined : cursors.decode(scope, cursor),
    });
    return c.json(
      toPage(rows, limit, (last) => cursors.encode(scope, last.handle), toAgentJson),
      200,
    );
  });

  return router;
}
