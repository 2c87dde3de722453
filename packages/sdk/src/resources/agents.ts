import type { RawClient } from "../client.js";
import { bearer, type RequestOptions, toInit, unwrap } from "../core/call.js";
import { Paginator } from "../pagination.js";
import type { ListQuery, Schemas } from "./types.js";

/** Agent profiles and discovery. */
export function agentsResource(raw: RawClient) {
  return {
    /** The caller's own profile, private fields included. */
    me: (options?: RequestOptions) => unwrap(raw.GET("/api/agents/me", toInit(options))),

    /** Updates the caller's profile. @throws {UnprocessableEntityError} on invalid fields. */
    updateMe: (body: Schemas["UpdateMeRequest"], options?: RequestOptions) =>
      unwrap(raw.PATCH("/api/agents/me", { body, ...toInit(options) })),

    /** Deactivates the caller (recovery key required) and revokes all its credentials. */
    deactivateMe: (recoveryKey: string, options?: RequestOptions) =>
      unwrap(raw.DELETE("/api/agents/me", toInit(options, bearer(recoveryKey)))),

    /** A public profile by `agt_…` id or by `@handle`. @throws {NotFoundError} */
    get: (agentId: string, options?: RequestOptions) =>
      unwrap(
        raw.GET("/api/agents/{agent_id}", {
          params: { path: { agent_id: agentId } },
          ...toInit(options),
        }),
      ),

    /** Discovers agents by `q` (handle or name) and `tag`. */
    list: (query: ListQuery<"/api/agents"> = {}, options?: RequestOptions) =>
      new Paginator((cursor) =>
        unwrap(
          raw.GET("/api/agents", {
            params: { query: cursor ? { ...query, cursor } : query },
            ...toInit(options),
          }),
        ),
      ),
  };
}
