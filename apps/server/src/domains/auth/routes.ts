import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonBody, jsonResponse } from "../../platform/openapi.js";
import {
  ApiKeyIdSchema,
  CursorQuerySchema,
  EmptyRequestSchema,
  LimitQuerySchema,
  plainHeaders,
  postHeaders,
  SessionIdSchema,
} from "../../platform/schemas.js";
import {
  ApiKeyListSchema,
  CreateApiKeyRequestSchema,
  CreateApiKeyResponseSchema,
  JwksSchema,
  RecoverRequestSchema,
  RecoveryKeyResponseSchema,
  RegisterRequestSchema,
  RegisterResponseSchema,
  SessionInfoSchema,
  SessionListSchema,
  TokenRequestSchema,
  TokenResponseSchema,
} from "./schemas.js";

const access = [{ accessToken: [] }];
const emptyBody = {
  required: false,
  content: { "application/json": { schema: EmptyRequestSchema } },
};
const readErrors = errorResponses(401, 422, 429, 500, 503);
const pageQuery = z.object({ limit: LimitQuerySchema, cursor: CursorQuerySchema });

export const registerRoute = createRoute({
  method: "post",
  path: "/api/auth/register",
  operationId: "registerAgent",
  tags: ["Auth"],
  security: [],
  request: { headers: postHeaders, body: jsonBody(RegisterRequestSchema) },
  responses: {
    201: jsonResponse(RegisterResponseSchema, "Registered; the recovery key is shown once."),
    ...errorResponses(400, 409, 413, 422, 429, 500, 503),
  },
});

export const createApiKeyRoute = createRoute({
  method: "post",
  path: "/api/auth/api-keys",
  operationId: "createApiKey",
  tags: ["Auth"],
  security: [{ accessToken: [] }, { recoveryKey: [] }],
  request: { headers: postHeaders, body: jsonBody(CreateApiKeyRequestSchema) },
  responses: {
    201: jsonResponse(CreateApiKeyResponseSchema, "Created; the secret is shown once."),
    ...errorResponses(400, 401, 409, 413, 422, 429, 500, 503),
  },
});

export const listApiKeysRoute = createRoute({
  method: "get",
  path: "/api/auth/api-keys",
  operationId: "listApiKeys",
  tags: ["Auth"],
  security: access,
  request: { headers: plainHeaders, query: pageQuery },
  responses: { 200: jsonResponse(ApiKeyListSchema, "The caller's api keys."), ...readErrors },
});

export const revokeApiKeyRoute = createRoute({
  method: "delete",
  path: "/api/auth/api-keys/{key_id}",
  operationId: "revokeApiKey",
  tags: ["Auth"],
  security: access,
  request: { headers: plainHeaders, params: z.object({ key_id: ApiKeyIdSchema }) },
  responses: {
    204: { description: "Revoked (also when it already was)." },
    ...errorResponses(401, 404, 422, 429, 500, 503),
  },
});

export const exchangeTokenRoute = createRoute({
  method: "post",
  path: "/api/auth/token",
  operationId: "exchangeToken",
  tags: ["Auth"],
  security: [],
  request: { headers: postHeaders, body: jsonBody(TokenRequestSchema) },
  responses: {
    200: jsonResponse(TokenResponseSchema, "A new session and its access token."),
    ...errorResponses(400, 401, 409, 413, 422, 429, 500, 503),
  },
});

export const refreshTokenRoute = createRoute({
  method: "post",
  path: "/api/auth/refresh",
  operationId: "refreshToken",
  tags: ["Auth"],
  security: access,
  request: { headers: postHeaders, body: emptyBody },
  responses: {
    200: jsonResponse(TokenResponseSchema, "A new access token for the same session."),
    ...errorResponses(400, 401, 409, 413, 422, 429, 500, 503),
  },
});

export const getSessionRoute = createRoute({
  method: "get",
  path: "/api/auth/session",
  operationId: "getSession",
  tags: ["Auth"],
  security: access,
  request: { headers: plainHeaders },
  responses: { 200: jsonResponse(SessionInfoSchema, "What the token proves."), ...readErrors },
});

export const listSessionsRoute = createRoute({
  method: "get",
  path: "/api/auth/sessions",
  operationId: "listSessions",
  tags: ["Auth"],
  security: access,
  request: { headers: plainHeaders, query: pageQuery },
  responses: { 200: jsonResponse(SessionListSchema, "The caller's live sessions."), ...readErrors },
});

export const revokeSessionRoute = createRoute({
  method: "delete",
  path: "/api/auth/sessions/{session_id}",
  operationId: "revokeSession",
  tags: ["Auth"],
  security: access,
  request: { headers: plainHeaders, params: z.object({ session_id: SessionIdSchema }) },
  responses: {
    204: { description: "Revoked." },
    ...errorResponses(401, 404, 422, 429, 500, 503),
  },
});

export const logoutRoute = createRoute({
  method: "post",
  path: "/api/auth/logout",
  operationId: "logout",
  tags: ["Auth"],
  security: access,
  request: { headers: postHeaders, body: emptyBody },
  responses: {
    204: { description: "The current session is revoked." },
    ...errorResponses(400, 401, 409, 413, 422, 429, 500, 503),
  },
});

export const rotateRecoveryKeyRoute = createRoute({
  method: "post",
  path: "/api/auth/recovery-key/rotate",
  operationId: "rotateRecoveryKey",
  tags: ["Auth"],
  security: [{ recoveryKey: [] }],
  request: { headers: postHeaders, body: emptyBody },
  responses: {
    200: jsonResponse(RecoveryKeyResponseSchema, "The new recovery key, shown once."),
    ...errorResponses(400, 401, 403, 409, 413, 422, 429, 500, 503),
  },
});

export const recoverAccountRoute = createRoute({
  method: "post",
  path: "/api/auth/recover",
  operationId: "recoverAccount",
  tags: ["Auth"],
  security: [],
  request: { headers: postHeaders, body: jsonBody(RecoverRequestSchema) },
  responses: {
    200: jsonResponse(RecoveryKeyResponseSchema, "Recovered; the new recovery key, shown once."),
    ...errorResponses(400, 401, 409, 413, 422, 429, 500, 503),
  },
});

export const getJwksRoute = createRoute({
  method: "get",
  path: "/api/auth/jwks.json",
  operationId: "getJwks",
  tags: ["Auth"],
  security: [],
  request: { headers: plainHeaders },
  responses: {
    200: jsonResponse(JwksSchema, "The public keys that sign access tokens."),
    ...errorResponses(422, 429, 500, 503),
  },
});
