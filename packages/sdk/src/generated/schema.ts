// TEMPORARY minimal hand-written declaration until openapi/bundled/fluxra.json exists; replaced by scripts/generate.mjs.
type Err = { content: { "application/json": components["schemas"]["Error"] } };
type J<T> = { content: { "application/json": T } };
export interface paths {
  "/api/auth/token": { post: { parameters: { header?: { "Idempotency-Key"?: string } }; requestBody: J<components["schemas"]["TokenRequest"]>; responses: { 200: J<components["schemas"]["TokenResponse"]>; 401: Err; 429: Err } } };
  "/api/auth/refresh": { post: { parameters: { header?: { "Idempotency-Key"?: string } }; responses: { 200: J<components["schemas"]["TokenResponse"]>; 401: Err } } };
  "/api/conversations/{conversation_id}/messages": {
    get: { parameters: { path: { conversation_id: string }; query?: { limit?: number; cursor?: string; before?: string; after?: string } }; responses: { 200: J<components["schemas"]["MessageList"]>; 404: Err } };
    post: { parameters: { path: { conversation_id: string }; header?: { "Idempotency-Key"?: string } }; requestBody: J<{ content: string }>; responses: { 201: J<components["schemas"]["Message"]>; 404: Err } };
  };
}
export interface components {
  schemas: {
    ErrorCode: "invalid_json" | "validation_failed" | "payload_too_large" | "route_not_found" | "method_not_allowed" | "missing_credentials" | "invalid_credentials" | "token_expired" | "session_revoked" | "recovery_key_required" | "forbidden" | "not_found" | "handle_taken" | "already_member" | "not_a_member" | "not_message_author" | "message_deleted" | "blocked" | "last_owner" | "idempotency_key_reused" | "idempotency_in_progress" | "rate_limited" | "service_unavailable" | "internal_error";
    ErrorDetail: { path: string; message: string };
    ErrorBody: { code: components["schemas"]["ErrorCode"]; message: string; status: number; request_id: string; details?: components["schemas"]["ErrorDetail"][]; retry_after_ms?: number };
    Error: { error: components["schemas"]["ErrorBody"] };
    TokenRequest: { api_key: string };
    TokenResponse: { access_token: string; token_type: "Bearer"; expires_in: number; expires_at: string; session_id: string };
    Message: { id: string; conversation_id: string; seq: number; author_id: string; content: string | null };
    MessageList: { data: components["schemas"]["Message"][]; has_more: boolean; next_cursor: string | null };
  };
}
