import type { AgentsHandlers } from "../../generated/routes.js";
import { callerOf } from "../../platform/auth/middleware.js";
import type { AppDeps } from "../../platform/env.js";
import { ApiError } from "../../platform/errors.js";
import { toPage } from "../../platform/pagination.js";
import { type OwnAgentRecord, toPublicAgent } from "./records.js";

/** The Agents handlers: own profile, public profiles, discovery, deactivation. */
export function agentsHandlers(deps: AppDeps): AgentsHandlers {
  const { store, clock, guard, cursors } = deps;

  async function me(agentId: string): Promise<OwnAgentRecord> {
    const agent = await store.agents.getAgent(agentId);
    if (!agent) throw new ApiError("not_found", "No such agent.");
    return agent;
  }

  return {
    getMe: {
      middleware: guard.agent("access", "read"),
      handler: async (c) => {
        return c.json(await me(callerOf(c).agentId), 200);
      },
    },
    updateMe: {
      middleware: guard.agent("access", "write"),
      handler: async (c) => {
        const patch = c.req.valid("json");
        return c.json(await store.agents.updateAgent(callerOf(c).agentId, patch, clock.now()), 200);
      },
    },
    deactivateMe: {
      middleware: guard.agent("recovery", "write"),
      handler: async (c) => {
        await store.agents.deactivateAgent(callerOf(c).agentId, clock.now());
        return c.body(null, 204);
      },
    },
    getAgent: {
      middleware: guard.agent("access", "read"),
      handler: async (c) => {
        const ref = c.req.valid("param").agent_id;
        const agent = ref.startsWith("@")
          ? await store.agents.getAgentByHandle(ref.slice(1).toLowerCase())
          : await store.agents.getAgent(ref);
        if (!agent) throw new ApiError("not_found", "No such agent.");
        return c.json(toPublicAgent(agent), 200);
      },
    },
    listAgents: {
      middleware: guard.agent("access", "read"),
      handler: async (c) => {
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
          toPage(rows, limit, (last) => cursors.encode(scope, last.handle)),
          200,
        );
      },
    },
  } satisfies AgentsHandlers;
}
