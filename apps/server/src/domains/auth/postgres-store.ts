import { ApiError } from "../../platform/errors.js";
import type { PgDatabase } from "../../storage/postgres/database.js";
import { groupReads } from "../../storage/postgres/group-reads.js";
import type { NewAgent, OwnAgentRecord } from "../agents/records.js";
import { agentInsertValues, newAgentRow, toOwnAgent } from "../agents/rows.js";
import type { ApiKeyRecord, SessionRecord } from "./records.js";
import {
  type ApiKeyRow,
  type ApiKeyStateRow,
  apiKeyColumns,
  apiKeyInsertValues,
  apiKeyStateSelect,
  newApiKeyRow,
  type SessionRow,
  sessionColumns,
  toApiKey,
  toApiKeyState,
  toSession,
  toSessionState,
} from "./rows.js";
import type { ApiKeyState, AuthStore, NewApiKey, NewSession, SessionState } from "./store.js";

const RECOVER = `UPDATE agents SET recovery_key_hash = $1, updated_at = $2
  WHERE id = $3 AND recovery_key_hash = $4 AND deactivated_at IS NULL RETURNING 1`;

/**
 * Sessions by the hash of their id, several lookups per statement: one row per key found, with
 * the key's position in the array. The hashes come as one JSON array and each is an index probe
 * (LATERAL), so the prepared statement runs one cached generic plan (database.ts, "Array keys").
 */
export const SESSIONS = `SELECT k.i::integer AS i, s.*
  FROM ROWS FROM (json_array_elements_text($1::json)) WITH ORDINALITY AS k(h, i)
  JOIN LATERAL (SELECT ${sessionColumns} FROM sessions WHERE id_hash = k.h COLLATE "C" OFFSET 0) s
    ON true`;

/** The PostgreSQL {@link AuthStore}. */
export function createPgAuthStore(db: PgDatabase): AuthStore {
  // Every authenticated request reads its session (no cache: a revocation on any instance takes
  // effect at the next request). Concurrent requests' lookups share one statement (group-reads.ts).
  const session = groupReads<string, SessionState | null>(async (hashes) => {
    const found: (SessionState | null)[] = hashes.map(() => null);
    const rows = await db.query<SessionRow & { i: number }>(SESSIONS, [JSON.stringify(hashes)]);
    for (const row of rows) found[row.i - 1] = toSessionState(row);
    return found;
  });
  return {
    foldsSessionCheck: true,
    async createAgent(a: NewAgent, recoveryKeyHash: string, now: number): Promise<OwnAgentRecord> {
      const row = newAgentRow(a, now);
      // The UNIQUE constraint on handle settles concurrent registrations on any instance.
      const inserted = await db.query(
        `INSERT INTO agents (id, handle, display_name, description, tags, avatar_url, metadata, discoverable, recovery_key_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (handle) DO NOTHING RETURNING 1`,
        agentInsertValues(row, recoveryKeyHash, a.discoverable),
      );
      if (inserted.length === 0) throw new ApiError("handle_taken", "That handle is taken.");
      return toOwnAgent(row);
    },

    async findAgentByRecoveryKey(hash: string): Promise<{ agentId: string; hash: string } | null> {
      const [row] = await db.query<{ id: string; recovery_key_hash: string }>(
        "SELECT id, recovery_key_hash FROM agents WHERE recovery_key_hash = $1 AND deactivated_at IS NULL",
        [hash],
      );
      return row ? { agentId: row.id, hash: row.recovery_key_hash } : null;
    },

    async createApiKey(key: NewApiKey, now: number): Promise<ApiKeyRecord> {
      const row = newApiKeyRow(key, now);
      await db.query(
        `INSERT INTO api_keys (id, agent_id, name, prefix, secret_hash, created_at, last_used_at, expires_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        apiKeyInsertValues(row, key.secretHash),
      );
      return toApiKey(row);
    },

    async listApiKeys(agentId: string, limit: number, afterId?: string): Promise<ApiKeyRecord[]> {
      const rows = await db.query<ApiKeyRow>(
        `SELECT ${apiKeyColumns} FROM api_keys WHERE agent_id = $1 AND ($2::text IS NULL OR id < $2)
       ORDER BY id DESC LIMIT $3`,
        [agentId, afterId ?? null, limit],
      );
      return rows.map(toApiKey);
    },

    async findApiKeyBySecret(hash: string): Promise<ApiKeyState | null> {
      const [row] = await db.query<ApiKeyStateRow>(
        `${apiKeyStateSelect} WHERE k.secret_hash = $1`,
        [hash],
      );
      return row ? toApiKeyState(row) : null;
    },

    async revokeApiKey(agentId: string, keyId: string, now: number): Promise<boolean> {
      return db.tx(async (q) => {
        const key = await q("SELECT id FROM api_keys WHERE id = $1 AND agent_id = $2 FOR UPDATE", [
          keyId,
          agentId,
        ]);
        if (key.length === 0) return false;
        await q("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", [
          now,
          keyId,
        ]);
        await q(
          "UPDATE sessions SET revoked_at = $1 WHERE api_key_id = $2 AND revoked_at IS NULL",
          [now, keyId],
        );
        return true;
      });
    },

    async createSession(s: NewSession, idHash: string): Promise<boolean> {
      return db.tx(async (q) => {
        // Locks the key row first: a concurrent revocation either commits before (this sees
        // `revoked_at` and refuses) or waits, then revokes the session inserted here too.
        const used = await q<{ id: string }>(
          "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id",
          [s.createdAt, s.apiKeyId],
        );
        if (used.length === 0) return false;
        await q(
          `INSERT INTO sessions (id_hash, id, agent_id, api_key_id, created_at, expires_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL)`,
          [idHash, s.id, s.agentId, s.apiKeyId, s.createdAt, s.expiresAt],
        );
        return true;
      });
    },

    getSession(idHash: string): Promise<SessionState | null> {
      return session(idHash);
    },

    async listSessions(
      agentId: string,
      currentId: string | null,
      now: number,
      limit: number,
      afterId?: string,
    ): Promise<SessionRecord[]> {
      const rows = await db.query<SessionRow>(
        `SELECT ${sessionColumns} FROM sessions
       WHERE agent_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND ($3::text IS NULL OR id < $3)
       ORDER BY id DESC LIMIT $4`,
        [agentId, now, afterId ?? null, limit],
      );
      return rows.map((r) => toSession(r, currentId));
    },

    async revokeSession(agentId: string, sessionIdHash: string, now: number): Promise<boolean> {
      return db.tx(async (q) => {
        const found = await q("SELECT 1 FROM sessions WHERE id_hash = $1 AND agent_id = $2", [
          sessionIdHash,
          agentId,
        ]);
        if (found.length === 0) return false;
        await q("UPDATE sessions SET revoked_at = $1 WHERE id_hash = $2 AND revoked_at IS NULL", [
          now,
          sessionIdHash,
        ]);
        return true;
      });
    },

    async rotateRecoveryKey(
      agentId: string,
      oldHash: string,
      newHash: string,
      now: number,
    ): Promise<boolean> {
      // Conditional UPDATE: a concurrent rotation re-checks the hash after the winner commits.
      const rows = await db.query(RECOVER, [newHash, now, agentId, oldHash]);
      return rows.length > 0;
    },

    async recoverAccount(
      agentId: string,
      oldHash: string,
      newHash: string,
      now: number,
    ): Promise<boolean> {
      return db.tx(async (q) => {
        const rows = await q(RECOVER, [newHash, now, agentId, oldHash]);
        if (rows.length === 0) return false;
        await q("UPDATE api_keys SET revoked_at = $1 WHERE agent_id = $2 AND revoked_at IS NULL", [
          now,
          agentId,
        ]);
        await q("UPDATE sessions SET revoked_at = $1 WHERE agent_id = $2 AND revoked_at IS NULL", [
          now,
          agentId,
        ]);
        return true;
      });
    },
  };
}
