import type { ApiKeyRecord, SessionRecord } from "./store.js";

/** An `api_keys` row as both backends return it (times are epoch ms; never the secret hash). */
export interface ApiKeyRow {
  id: string;
  agent_id: string;
  name: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
}

/** A `sessions` row as both backends return it (never the id hash). */
export interface SessionRow {
  id: string;
  agent_id: string;
  api_key_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** The columns of {@link ApiKeyRow}, for SELECTs. */
export const apiKeyColumns =
  "id, agent_id, name, prefix, created_at, last_used_at, expires_at, revoked_at";

/** The columns of {@link SessionRow}, for SELECTs. */
export const sessionColumns = "id, agent_id, api_key_id, created_at, expires_at, revoked_at";

/** Maps an `api_keys` row to the domain record. */
export function toApiKeyRecord(r: ApiKeyRow): ApiKeyRecord {
  return {
    id: r.id,
    agentId: r.agent_id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  };
}

/** Maps a `sessions` row to the domain record. */
export function toSessionRecord(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    agentId: r.agent_id,
    apiKeyId: r.api_key_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  };
}

/**
 * The values of a new `api_keys` row, in the order both backends' INSERT names the columns:
 * id, agent_id, name, prefix, secret_hash, created_at, last_used_at, expires_at, revoked_at.
 */
export function apiKeyInsertValues(key: ApiKeyRecord, secretHash: string): unknown[] {
  return [
    key.id,
    key.agentId,
    key.name,
    key.prefix,
    secretHash,
    key.createdAt,
    key.lastUsedAt,
    key.expiresAt,
    key.revokedAt,
  ];
}
