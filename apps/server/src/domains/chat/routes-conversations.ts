import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse } from "../../platform/openapi.js";
import {
  AgentIdSchema,
  ConversationIdSchema,
  CursorQuerySchema,
  EmptyRequestSchema,
  LimitQuerySchema,
  NoQuerySchema,
  plainHeaders,
  postHeaders,
} from "../../platform/schemas.js";
import {
  AddMemberRequestSchema,
  ConversationCreatedSchema,
  ConversationListSchema,
  ConversationSchema,
  CreateConversationRequestSchema,
  MemberListSchema,
  MemberSchema,
  UpdateConversationRequestSchema,
  UpdateMemberRequestSchema,
} from "./schemas.js";

const security = [{ accessToken: [] }];
const tags = ["Chat"];
const conversationParam = z.object({ conversation_id: ConversationIdSchema });
const memberParams = z.object({ conversation_id: ConversationIdSchema, agent_id: AgentIdSchema });
// Strict: unknown query parameters → 422, like unknown body fields (the spec's choice; api.md §1 names body fields).
const pageQuery = z.object({ limit: LimitQuerySchema, cursor: CursorQuerySchema }).strict();

/** `POST /api/conversations` (createConversation): direct get-or-create, or a new group. */
export const createConversationRoute = createRoute({
  method: "post",
  path: "/api/conversations",
  operationId: "createConversation",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: postHeaders,
    body: jsonBody(CreateConversationRequestSchema),
  },
  responses: {
    200: jsonResponse(ConversationCreatedSchema, "The direct conversation already existed."),
    201: jsonResponse(ConversationCreatedSchema, "The conversation was created."),
    ...errorResponses(400, 401, 403, 404, 409, 413, 422, 429, 500, 503),
  },
});

/** `GET /api/conversations` (listConversations). */
export const listConversationsRoute = createRoute({
  method: "get",
  path: "/api/conversations",
  operationId: "listConversations",
  tags,
  security,
  request: { headers: plainHeaders, query: pageQuery },
  responses: {
    200: jsonResponse(ConversationListSchema, "A page of conversations."),
    ...errorResponses(401, 422, 429, 500, 503),
  },
});

/** `GET /api/conversations/{conversation_id}` (getConversation). */
export const getConversationRoute = createRoute({
  method: "get",
  path: "/api/conversations/{conversation_id}",
  operationId: "getConversation",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: plainHeaders,
    params: conversationParam,
  },
  responses: {
    200: jsonResponse(ConversationSchema, "The conversation."),
    ...errorResponses(401, 404, 422, 429, 500, 503),
  },
});

/** `PATCH /api/conversations/{conversation_id}` (updateConversation): groups, owner/admin. */
export const updateConversationRoute = createRoute({
  method: "patch",
  path: "/api/conversations/{conversation_id}",
  operationId: "updateConversation",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: plainHeaders,
    params: conversationParam,
    body: jsonBody(UpdateConversationRequestSchema),
  },
  responses: {
    200: jsonResponse(ConversationSchema, "The updated conversation."),
    ...errorResponses(400, 401, 403, 404, 413, 422, 429, 500, 503),
  },
});

/** `GET …/members` (listMembers). */
export const listMembersRoute = createRoute({
  method: "get",
  path: "/api/conversations/{conversation_id}/members",
  operationId: "listMembers",
  tags,
  security,
  request: { headers: plainHeaders, params: conversationParam, query: pageQuery },
  responses: {
    200: jsonResponse(MemberListSchema, "A page of members."),
    ...errorResponses(401, 404, 422, 429, 500, 503),
  },
});

/** `POST …/members` (addMember). */
export const addMemberRoute = createRoute({
  method: "post",
  path: "/api/conversations/{conversation_id}/members",
  operationId: "addMember",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: postHeaders,
    params: conversationParam,
    body: jsonBody(AddMemberRequestSchema),
  },
  responses: {
    201: jsonResponse(MemberSchema, "The agent is now a member."),
    ...errorResponses(400, 401, 403, 404, 409, 413, 422, 429, 500, 503),
  },
});

/** `PATCH …/members/{agent_id}` (updateMember). */
export const updateMemberRoute = createRoute({
  method: "patch",
  path: "/api/conversations/{conversation_id}/members/{agent_id}",
  operationId: "updateMember",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: plainHeaders,
    params: memberParams,
    body: jsonBody(UpdateMemberRequestSchema),
  },
  responses: {
    200: jsonResponse(MemberSchema, "The member with the new role."),
    ...errorResponses(400, 401, 403, 404, 409, 413, 422, 429, 500, 503),
  },
});

/** `DELETE …/members/{agent_id}` (removeMember). */
export const removeMemberRoute = createRoute({
  method: "delete",
  path: "/api/conversations/{conversation_id}/members/{agent_id}",
  operationId: "removeMember",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: plainHeaders,
    params: memberParams,
  },
  responses: {
    204: { description: "The member was removed." },
    ...errorResponses(401, 403, 404, 422, 429, 500, 503),
  },
});

/** `POST …/leave` (leaveConversation). */
export const leaveConversationRoute = createRoute({
  method: "post",
  path: "/api/conversations/{conversation_id}/leave",
  operationId: "leaveConversation",
  tags,
  security,
  request: {
    query: NoQuerySchema,
    headers: postHeaders,
    params: conversationParam,
    body: { required: false, content: { "application/json": { schema: EmptyRequestSchema } } },
  },
  responses: {
    204: { description: "The caller left the group." },
    ...errorResponses(400, 401, 404, 409, 413, 422, 429, 500, 503),
  },
});
