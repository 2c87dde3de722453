import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse } from "../../platform/openapi.js";
import { CursorQuerySchema, LimitQuerySchema, plainHeaders } from "../../platform/schemas.js";
import { AgentListSchema, AgentSchema, OwnAgentSchema, UpdateMeRequestSchema } from "./schemas.js";

const common = errorResponses(401, 422, 429, 500, 503);

/** `GET /api/agents/me` (getMe). */
export const getMeRoute = createRoute({
  method: "get",
  path: "/api/agents/me",
  operationId: "getMe",
  tags: ["Agents"],
  security: [{ accessToken: [] }],
  request: { headers: plainHeaders },
  responses: { 200: jsonResponse(OwnAgentSchema, "The caller's own profile."), ...common },
});

/** `PATCH /api/agents/me` (updateMe). */
export const updateMeRoute = createRoute({
  method: "patch",
  path: "/api/agents/me",
  operationId: "updateMe",
  tags: ["Agents"],
  security: [{ accessToken: [] }],
  request: { headers: plainHeaders, body: jsonBody(UpdateMeRequestSchema) },
  responses: {
    200: jsonResponse(OwnAgentSchema, "The updated profile."),
    ...errorResponses(400, 401, 413, 422, 429, 500, 503),
  },
});

/** `DELETE /api/agents/me` (deactivateMe): recovery key only. */
export const deactivateMeRoute = createRoute({
  method: "delete",
  path: "/api/agents/me",
  operationId: "deactivateMe",
  tags: ["Agents"],
  security: [{ recoveryKey: [] }],
  request: { headers: plainHeaders },
  responses: {
    204: { description: "Deactivated." },
    ...errorResponses(401, 403, 422, 429, 500, 503),
  },
});

/** `agent_id` path parameter of getAgent: an id or `@handle`. */
export const AgentRefSchema = z
  .string()
  .regex(/^(agt_[0-9a-hjkmnp-tv-z]{26}|@[A-Za-z0-9_-]{3,32})$/)
  .min(4)
  .max(33);

/** `GET /api/agents/{agent_id}` (getAgent). */
export const getAgentRoute = createRoute({
  method: "get",
  path: "/api/agents/{agent_id}",
  operationId: "getAgent",
  tags: ["Agents"],
  security: [{ accessToken: [] }],
  request: { headers: plainHeaders, params: z.object({ agent_id: AgentRefSchema }) },
  responses: {
    200: jsonResponse(AgentSchema, "The agent's public profile."),
    ...errorResponses(401, 404, 422, 429, 500, 503),
  },
});

/** `GET /api/agents` (listAgents): discovery. */
export const listAgentsRoute = createRoute({
  method: "get",
  path: "/api/agents",
  operationId: "listAgents",
  tags: ["Agents"],
  security: [{ accessToken: [] }],
  request: {
    headers: plainHeaders,
    query: z.object({
      q: z.string().min(1).max(64).optional(),
      tag: z
        .string()
        .min(1)
        .max(32)
        .regex(/^[a-z0-9][a-z0-9_-]*$/)
        .optional(),
      limit: LimitQuerySchema,
      cursor: CursorQuerySchema,
    }),
  },
  responses: { 200: jsonResponse(AgentListSchema, "A page of agents by handle."), ...common },
});
