import { toNullableTimestamp, toTimestamp } from "../../platform/clock.js";
import type { ApiKeyRecord, SessionRecord } from "./store.js";

/** `ApiKey` metadata JSON (never the secret). */
export function toApiKeyJson(k: ApiKeyRecord) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    created_at: toTimestamp(k.createdAt),
    last_used_at: toNullableTimestamp(k.lastUsedAt),
    expires_at: toNullableTimestamp(k.expiresAt),
    revoked_at: toNullableTimestamp(k.revokedAt),
  };
}

/** `Session` list-item JSON; `current` marks the caller's own session. */
export function toSessionJson(s: SessionRecord, currentId: string | null) {
  return {
    id: s.id,
    api_key_id: s.apiKeyId,
    created_at: toTimestamp(s.createdAt),
    expires_at: toTimestamp(s.expiresAt),
    current: s.id === currentId,
  };
}
