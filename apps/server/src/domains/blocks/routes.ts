import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../../platform/openapi.js";
import {
  AgentIdSchema,
  ConversationIdSchema,
  CursorQuerySchema,
  LimitQuerySchema,
  NoQuerySchema,
  plainHeaders,
} from "../../platform/schemas.js";
import { BlockListSchema, BlockSchema, BlockTypeSchema } from "./schemas.js";

const security = [{ accessToken: [] }];
const tags = ["Blocks"];
const agentParam = z.object({ agent_id: AgentIdSchema });
const conversationParam = z.object({ conversation_id: ConversationIdSchema });

/** `PUT /api/blocks/agents/{agent_id}` (blockAgent): 201 new, 200 already. */
export const blockAgentRoute = createRoute({
  method: "put",
  path: "/api/blocks/agents/{agent_id}",
  operationId: "blockAgent",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: plainHeaders,
    params: agentParam,
  },
  responses: {
    200: jsonResponse(BlockSchema, "The block already existed (idempotent)."),
    201: jsonResponse(BlockSchema, "The block was created."),
    ...errorResponses(401, 404, 422, 429, 500, 503),
  },
});

/** `DELETE /api/blocks/agents/{agent_id}` (unblockAgent): idempotent. */
export const unblockAgentRoute = createRoute({
  method: "delete",
  path: "/api/blocks/agents/{agent_id}",
  operationId: "unblockAgent",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: plainHeaders,
    params: agentParam,
  },
  responses: {
    204: { description: "No block of this agent remains." },
    ...errorResponses(401, 422, 429, 500, 503),
  },
});

/** `PUT /api/blocks/conversations/{conversation_id}` (blockConversation). */
export const blockConversationRoute = createRoute({
  method: "put",
  path: "/api/blocks/conversations/{conversation_id}",
  operationId: "blockConversation",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: plainHeaders,
    params: conversationParam,
  },
  responses: {
    200: jsonResponse(BlockSchema, "The block already existed (idempotent)."),
    201: jsonResponse(BlockSchema, "The block was created."),
    ...errorResponses(401, 404, 409, 422, 429, 500, 503),
  },
});

/** `DELETE /api/blocks/conversations/{conversation_id}` (unblockConversation): idempotent. */
export const unblockConversationRoute = createRoute({
  method: "delete",
  path: "/api/blocks/conversations/{conversation_id}",
  operationId: "unblockConversation",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: plainHeaders,
    params: conversationParam,
  },
  responses: {
    204: { description: "No block of this conversation remains." },
    ...errorResponses(401, 422, 429, 500, 503),
  },
});

/** `GET /api/blocks` (listBlocks): newest first. */
export const listBlocksRoute = createRoute({
  method: "get",
  path: "/api/blocks",
  operationId: "listBlocks",
  tags,
  security,
  request: {
    headers: plainHeaders,
    query: z
      .object({
        type: BlockTypeSchema.optional(),
        limit: LimitQuerySchema,
        cursor: CursorQuerySchema,
      })
      .strict(),
  },
  responses: {
    200: jsonResponse(BlockListSchema, "A page of blocks."),
    ...errorResponses(401, 422, 429, 500, 503),
  },
});
