import { toNullableTimestamp, toTimestamp } from "../../platform/clock.js";
import type { ApiKeyRecord, SessionRecord } from "./records.js";
import type { ApiKeyState, NewApiKey, SessionState } from "./store.js";

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

/** An `api_keys` row in its API shape. */
export function toApiKey(r: ApiKeyRow): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    created_at: toTimestamp(r.created_at),
    last_used_at: toNullableTimestamp(r.last_used_at),
    expires_at: toNullableTimestamp(r.expires_at),
    revoked_at: toNullableTimestamp(r.revoked_at),
  };
}

/** The row of a new key (never used, never revoked). */
export function newApiKeyRow(k: NewApiKey, now: number): ApiKeyRow {
  return {
    id: k.id,
    agent_id: k.agentId,
    name: k.name,
    prefix: k.prefix,
    created_at: now,
    last_used_at: null,
    expires_at: k.expiresAt,
    revoked_at: null,
  };
}

/** What both backends' exchange lookup selects: the key and whether its agent is active. */
export interface ApiKeyStateRow {
  id: string;
  agent_id: string;
  secret_hash: string;
  expires_at: number | null;
  revoked_at: number | null;
  /** 1/0 on SQLite, a boolean on PostgreSQL. */
  agent_active: number | boolean;
}

/**
 * The exchange's lookup: the key by its secret hash, joined to its agent (one statement where
 * the handler used to read the agent separately).
 */
export const apiKeyStateSelect =
  "SELECT k.id, k.agent_id, k.secret_hash, k.expires_at, k.revoked_at, a.deactivated_at IS NULL AS agent_active FROM api_keys k JOIN agents a ON a.id = k.agent_id";

/** An `api_keys` row (and its secret hash) as the token exchange checks it. */
export function toApiKeyState(r: ApiKeyStateRow): ApiKeyState {
  return {
    id: r.id,
    agentId: r.agent_id,
    hash: r.secret_hash,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    agentActive: r.agent_active === true || r.agent_active === 1,
  };
}

/** A `sessions` row in its API shape, `current` when it is `currentId`. */
export function toSession(r: SessionRow, currentId: string | null): SessionRecord {
  return {
    id: r.id,
    api_key_id: r.api_key_id,
    created_at: toTimestamp(r.created_at),
    expires_at: toTimestamp(r.expires_at),
    current: r.id === currentId,
  };
}

/** A `sessions` row as the auth guard checks it. */
export function toSessionState(r: SessionRow): SessionState {
  return {
    id: r.id,
    agentId: r.agent_id,
    apiKeyId: r.api_key_id,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  };
}

/**
 * The values of a new `api_keys` row, in the order both backends' INSERT names the columns:
 * id, agent_id, name, prefix, secret_hash, created_at, last_used_at, expires_at, revoked_at.
 */
export function apiKeyInsertValues(r: ApiKeyRow, secretHash: string): unknown[] {
  const { id, agent_id, name, prefix, created_at, last_used_at, expires_at, revoked_at } = r;
  return [id, agent_id, name, prefix, secretHash, created_at, last_used_at, expires_at, revoked_at];
}
