import type { AuthHandlers } from "../../generated/routes.js";
import type { AppDeps } from "../../platform/env.js";
import { credentialHandlers } from "./handlers-credentials.js";
import { sessionHandlers } from "./handlers-sessions.js";

/** The Auth handlers: registration, api keys, token exchange, sessions, recovery, JWKS. */
export function authHandlers(deps: AppDeps): AuthHandlers {
  return { ...credentialHandlers(deps), ...sessionHandlers(deps) } satisfies AuthHandlers;
}
