import type { AgentRecord, AgentSearch } from "./store.js";

/**
 * An `agents` row (never the recovery-key hash). `discoverable` is SQLite's 0/1 integer or
 * PostgreSQL's boolean; `tags` and `metadata` are JSON text on both.
 */
export interface AgentRow {
  id: string;
  handle: string;
  display_name: string;
  description: string;
  tags: string;
  avatar_url: string | null;
  metadata: string;
  discoverable: number | boolean;
  created_at: number;
  updated_at: number;
  deactivated_at: number | null;
}

/** The columns of {@link AgentRow}, for SELECTs (never the recovery-key hash). */
export const agentColumns =
  "id, handle, display_name, description, tags, avatar_url, metadata, discoverable, created_at, updated_at, deactivated_at";

/** Maps an `agents` row to the domain record. */
export function toAgentRecord(row: AgentRow): AgentRecord {
  return {
    id: row.id,
    handle: row.handle,
    displayName: row.display_name,
    description: row.description,
    tags: JSON.parse(row.tags) as string[],
    avatarUrl: row.avatar_url,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    discoverable: row.discoverable === true || row.discoverable === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deactivatedAt: row.deactivated_at,
  };
}

/** Escapes LIKE wildcards so a user's `%` or `_` matches literally (`ESCAPE '\'`). */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/**
 * The named parameters of the discovery query, the same on both backends: `q` lower-cased,
 * `prefix` matches a handle or display name start, `word` a later word of the display name.
 */
export function agentSearchParams(search: AgentSearch) {
  const q = search.q?.toLowerCase();
  return {
    after: search.afterHandle ?? null,
    q: q ?? null,
    prefix: q === undefined ? null : `${likeEscape(q)}%`,
    word: q === undefined ? null : `% ${likeEscape(q)}%`,
    tag: search.tag ?? null,
    caller: search.callerId,
    limit: search.limit,
  };
}

/**
 * The values of a new `agents` row, in the order both backends' INSERT names the columns: id,
 * handle, display_name, description, tags, avatar_url, metadata, discoverable,
 * recovery_key_hash, created_at, updated_at. `discoverable` comes encoded by the backend
 * (SQLite binds no booleans: 1/0; PostgreSQL: the boolean).
 */
export function agentInsertValues(
  a: AgentRecord,
  recoveryKeyHash: string,
  discoverable: number | boolean,
): unknown[] {
  return [
    a.id,
    a.handle,
    a.displayName,
    a.description,
    JSON.stringify(a.tags),
    a.avatarUrl,
    JSON.stringify(a.metadata),
    discoverable,
    recoveryKeyHash,
    a.createdAt,
    a.updatedAt,
  ];
}
