import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse } from "../../platform/openapi.js";
import {
  ConversationIdSchema,
  CursorQuerySchema,
  LimitQuerySchema,
  MessageIdSchema,
  NoQuerySchema,
  plainHeaders,
  postHeaders,
} from "../../platform/schemas.js";
import {
  EditMessageRequestSchema,
  MarkReadRequestSchema,
  MessageListSchema,
  MessageSchema,
  ReadMarkerSchema,
  SendMessageRequestSchema,
} from "./schemas.js";

const security = [{ accessToken: [] }];
const tags = ["Chat"];
const conversationParam = z.object({ conversation_id: ConversationIdSchema });
const messageParams = z.object({
  conversation_id: ConversationIdSchema,
  message_id: MessageIdSchema,
});

/** `POST …/messages` (sendMessage). */
export const sendMessageRoute = createRoute({
  method: "post",
  path: "/api/conversations/{conversation_id}/messages",
  operationId: "sendMessage",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: postHeaders,
    params: conversationParam,
    body: jsonBody(SendMessageRequestSchema),
  },
  responses: {
    201: jsonResponse(MessageSchema, "The message was stored."),
    ...errorResponses(400, 401, 403, 404, 409, 413, 422, 429, 500, 503),
  },
});

/** `GET …/messages` (listMessages): newest first, or oldest first after `after`. */
export const listMessagesRoute = createRoute({
  method: "get",
  path: "/api/conversations/{conversation_id}/messages",
  operationId: "listMessages",
  tags,
  security,
  request: {
    headers: plainHeaders,
    params: conversationParam,
    query: z
      .object({
        before: MessageIdSchema.optional(),
        after: MessageIdSchema.optional(),
        limit: LimitQuerySchema,
        cursor: CursorQuerySchema,
      })
      .strict(),
  },
  responses: {
    200: jsonResponse(MessageListSchema, "A page of messages."),
    ...errorResponses(401, 404, 422, 429, 500, 503),
  },
});

/** `GET …/messages/{message_id}` (getMessage). */
export const getMessageRoute = createRoute({
  method: "get",
  path: "/api/conversations/{conversation_id}/messages/{message_id}",
  operationId: "getMessage",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: plainHeaders,
    params: messageParams,
  },
  responses: {
    200: jsonResponse(MessageSchema, "The message."),
    ...errorResponses(401, 404, 422, 429, 500, 503),
  },
});

/** `PATCH …/messages/{message_id}` (editMessage): author only. */
export const editMessageRoute = createRoute({
  method: "patch",
  path: "/api/conversations/{conversation_id}/messages/{message_id}",
  operationId: "editMessage",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: plainHeaders,
    params: messageParams,
    body: jsonBody(EditMessageRequestSchema),
  },
  responses: {
    200: jsonResponse(MessageSchema, "The edited message."),
    ...errorResponses(400, 401, 403, 404, 409, 413, 422, 429, 500, 503),
  },
});

/** `DELETE …/messages/{message_id}` (deleteMessage): author, or group owner/admin. */
export const deleteMessageRoute = createRoute({
  method: "delete",
  path: "/api/conversations/{conversation_id}/messages/{message_id}",
  operationId: "deleteMessage",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: plainHeaders,
    params: messageParams,
  },
  responses: {
    200: jsonResponse(MessageSchema, "The tombstone."),
    ...errorResponses(401, 403, 404, 422, 429, 500, 503),
  },
});

/** `POST …/read` (markRead): the marker only moves forward. */
export const markReadRoute = createRoute({
  method: "post",
  path: "/api/conversations/{conversation_id}/read",
  operationId: "markRead",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: postHeaders,
    params: conversationParam,
    body: jsonBody(MarkReadRequestSchema),
  },
  responses: {
    200: jsonResponse(ReadMarkerSchema, "The read marker after the update."),
    ...errorResponses(400, 401, 404, 409, 413, 422, 429, 500, 503),
  },
});
