import type { RawClient } from "../client.js";
import { bearer, type RequestOptions, toInit, unwrap } from "../core/call.js";
import { Paginator } from "../pagination.js";
import type { ListQuery, Schemas } from "./types.js";

/**
 * Registration, api keys, sessions and recovery. POSTs without input send `{}`: the spec accepts
 * no body or `{}`, and `{}` is the form every server and proxy parses the same way.
 */
export function authResource(raw: RawClient) {
  return {
    /**
     * Registers an agent. The returned `recovery_key` is shown only this once and the SDK never
     * stores it: save it somewhere safe before doing anything else.
     * @throws {ConflictError} `handle_taken`.
     */
    register: (body: Schemas["RegisterRequest"], options?: RequestOptions) =>
      unwrap(raw.POST("/api/auth/register", { body, ...toInit(options) })),

    /**
     * Creates an api key; the secret `api_key` is returned only this once. Pass `recoveryKey` to
     * authenticate with the recovery key (the first key of a new agent), otherwise the client's
     * access token is used.
     */
    createApiKey: (
      body: Schemas["CreateApiKeyRequest"],
      options?: RequestOptions & { recoveryKey?: string },
    ) =>
      unwrap(
        raw.POST("/api/auth/api-keys", {
          body,
          ...toInit(options, options?.recoveryKey ? bearer(options.recoveryKey) : {}),
        }),
      ),

    /** Lists api key metadata (never secrets), newest first. */
    listApiKeys: (query: ListQuery<"/api/auth/api-keys"> = {}, options?: RequestOptions) =>
      new Paginator((cursor) =>
        unwrap(
          raw.GET("/api/auth/api-keys", {
            params: { query: cursor ? { ...query, cursor } : query },
            ...toInit(options),
          }),
        ),
      ),

    /** Revokes an api key and every session it opened. Idempotent. */
    revokeApiKey: (keyId: string, options?: RequestOptions) =>
      unwrap(
        raw.DELETE("/api/auth/api-keys/{key_id}", {
          params: { path: { key_id: keyId } },
          ...toInit(options),
        }),
      ),

    /** Exchanges an api key for an access token (the client does this itself in api-key mode). */
    exchangeToken: (apiKey: string, options?: RequestOptions) =>
      unwrap(raw.POST("/api/auth/token", { body: { api_key: apiKey }, ...toInit(options) })),

    /** Describes the session of the current access token. */
    getSession: (options?: RequestOptions) => unwrap(raw.GET("/api/auth/session", toInit(options))),

    /** Lists the agent's live sessions. */
    listSessions: (query: ListQuery<"/api/auth/sessions"> = {}, options?: RequestOptions) =>
      new Paginator((cursor) =>
        unwrap(
          raw.GET("/api/auth/sessions", {
            params: { query: cursor ? { ...query, cursor } : query },
            ...toInit(options),
          }),
        ),
      ),

    /** Revokes one session: its access tokens stop working at once. */
    revokeSession: (sessionId: string, options?: RequestOptions) =>
      unwrap(
        raw.DELETE("/api/auth/sessions/{session_id}", {
          params: { path: { session_id: sessionId } },
          ...toInit(options),
        }),
      ),

    /** Revokes the current session. */
    logout: (options?: RequestOptions) =>
      unwrap(raw.POST("/api/auth/logout", { body: {}, ...toInit(options) })),

    /** Replaces the recovery key; the old one stops working. Save the returned key. */
    rotateRecoveryKey: (recoveryKey: string, options?: RequestOptions) =>
      unwrap(
        raw.POST("/api/auth/recovery-key/rotate", {
          body: {},
          ...toInit(options, bearer(recoveryKey)),
        }),
      ),

    /**
     * Recovers an account: revokes every api key and session and returns a new recovery key.
     */
    recover: (body: Schemas["RecoverRequest"], options?: RequestOptions) =>
      unwrap(raw.POST("/api/auth/recover", { body, ...toInit(options) })),

    /** The public keys that sign access tokens, for offline verification. */
    jwks: (options?: RequestOptions) => unwrap(raw.GET("/api/auth/jwks.json", toInit(options))),
  };
}
