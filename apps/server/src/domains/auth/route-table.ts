import type { RouteConfig } from "@hono/zod-openapi";
import type { DomainTable } from "../../generated/operations.js";
import {
  createApiKeyRoute,
  exchangeTokenRoute,
  getJwksRoute,
  getSessionRoute,
  listApiKeysRoute,
  listSessionsRoute,
  logoutRoute,
  recoverAccountRoute,
  refreshTokenRoute,
  registerRoute,
  revokeApiKeyRoute,
  revokeSessionRoute,
  rotateRecoveryKeyRoute,
} from "./routes.js";

/** Every operation of the Auth tag and its route: a missing one does not compile. */
export const authRoutes = {
  registerAgent: registerRoute,
  createApiKey: createApiKeyRoute,
  listApiKeys: listApiKeysRoute,
  revokeApiKey: revokeApiKeyRoute,
  exchangeToken: exchangeTokenRoute,
  refreshToken: refreshTokenRoute,
  getSession: getSessionRoute,
  listSessions: listSessionsRoute,
  revokeSession: revokeSessionRoute,
  logout: logoutRoute,
  rotateRecoveryKey: rotateRecoveryKeyRoute,
  recoverAccount: recoverAccountRoute,
  getJwks: getJwksRoute,
} satisfies DomainTable<"auth", RouteConfig>;
