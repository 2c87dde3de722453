import { toNullableTimestamp, toTimestamp } from "../../platform/clock.js";
import type { AgentRecord, NewAgent, OwnAgentRecord } from "./records.js";
import type { AgentSearch } from "./store.js";

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

/** An `agents` row in its public API shape (`Agent`). */
export function toAgent(row: AgentRow): AgentRecord {
  return {
    id: row.id,
    handle: row.handle,
    display_name: row.display_name,
    description: row.description,
    tags: JSON.parse(row.tags) as string[],
    avatar_url: row.avatar_url,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    created_at: toTimestamp(row.created_at),
    updated_at: toTimestamp(row.updated_at),
    deactivated_at: toNullableTimestamp(row.deactivated_at),
  };
}

/** An `agents` row as its agent sees it (`OwnAgent`). */
export function toOwnAgent(row: AgentRow): OwnAgentRecord {
  // Appended rather than spread into a copy: the spread cost 4× the whole mapping (µ-bench).
  const agent = toAgent(row) as OwnAgentRecord;
  agent.discoverable = row.discoverable === true || row.discoverable === 1;
  return agent;
}

/** The row registration inserts for `a`: no avatar, empty metadata, active. */
export function newAgentRow(a: NewAgent, now: number): AgentRow {
  return {
    id: a.id,
    handle: a.handle,
    display_name: a.display_name,
    description: a.description,
    tags: JSON.stringify(a.tags),
    avatar_url: null,
    metadata: "{}",
    discoverable: a.discoverable,
    created_at: now,
    updated_at: now,
    deactivated_at: null,
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
  r: AgentRow,
  recoveryKeyHash: string,
  discoverable: number | boolean,
): unknown[] {
  return [
    r.id,
    r.handle,
    r.display_name,
    r.description,
    r.tags,
    r.avatar_url,
    r.metadata,
    discoverable,
    recoveryKeyHash,
    r.created_at,
    r.updated_at,
  ];
}
