import { ApiError } from "../../platform/errors.js";
import type { SqliteDatabase } from "../../storage/sqlite/database.js";
import type { NewAgent, OwnAgentRecord } from "../agents/records.js";
import { agentInsertValues, newAgentRow, toOwnAgent } from "../agents/rows.js";
import { sqliteKeyCache } from "./key-cache.js";
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
import { sqliteSessionCache } from "./session-cache.js";
import type { ApiKeyState, AuthStore, NewApiKey, NewSession, SessionState } from "./store.js";

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE";
}

/** Every authenticated request runs this: one constant string, so the statement cache finds it by identity. */
const SESSION_BY_HASH_SQL = `SELECT ${sessionColumns} FROM sessions WHERE id_hash = ?`;
/** Every token exchange runs this (on a cache miss). */
const KEY_BY_HASH_SQL = `${apiKeyStateSelect} WHERE k.secret_hash = ?`;

/** The SQLite {@link AuthStore} on an open database. */
export function createSqliteAuthStore(db: SqliteDatabase): AuthStore {
  const sessions = sqliteSessionCache(db);
  const keys = sqliteKeyCache(db);
  /**
   * Swaps the recovery-key hash of an active agent when `oldHash` is still its hash; call inside
   * `write`. False when the agent is gone, deactivated or the hash changed meanwhile.
   */
  function replaceRecoveryKey(
    agentId: string,
    oldHash: string,
    newHash: string,
    now: number,
  ): boolean {
    const result = db
      .stmt(
        "UPDATE agents SET recovery_key_hash = ?, updated_at = ? WHERE id = ? AND recovery_key_hash = ? AND deactivated_at IS NULL",
      )
      .run(newHash, now, agentId, oldHash);
    return result.changes > 0;
  }

  return {
    async createAgent(a: NewAgent, recoveryKeyHash: string, now: number): Promise<OwnAgentRecord> {
      const row = newAgentRow(a, now);
      try {
        db.write(() => {
          db.stmt(
            `INSERT INTO agents (id, handle, display_name, description, tags, avatar_url, metadata, discoverable, recovery_key_hash, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(...agentInsertValues(row, recoveryKeyHash, a.discoverable ? 1 : 0));
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ApiError("handle_taken", "That handle is taken.");
        throw err;
      }
      return toOwnAgent(row);
    },

    async findAgentByRecoveryKey(hash: string): Promise<{ agentId: string; hash: string } | null> {
      const row = db
        .stmt(
          "SELECT id, recovery_key_hash FROM agents WHERE recovery_key_hash = ? AND deactivated_at IS NULL",
        )
        .get(hash) as { id: string; recovery_key_hash: string } | undefined;
      return row ? { agentId: row.id, hash: row.recovery_key_hash } : null;
    },

    async createApiKey(key: NewApiKey, now: number): Promise<ApiKeyRecord> {
      const row = newApiKeyRow(key, now);
      db.write(() => {
        db.stmt(
          `INSERT INTO api_keys (id, agent_id, name, prefix, secret_hash, created_at, last_used_at, expires_at, revoked_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(...apiKeyInsertValues(row, key.secretHash));
      });
      return toApiKey(row);
    },

    async listApiKeys(agentId: string, limit: number, afterId?: string): Promise<ApiKeyRecord[]> {
      const rows = db
        .stmt(
          `SELECT ${apiKeyColumns} FROM api_keys WHERE agent_id = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
        )
        .all(agentId, afterId ?? null, afterId ?? null, limit) as ApiKeyRow[];
      return rows.map(toApiKey);
    },

    async findApiKeyBySecret(hash: string): Promise<ApiKeyState | null> {
      // Like getSession: one `PRAGMA data_version` step instead of the join, when this process
      // has looked the key up before and no other connection has committed since. Its own
      // revocations, recoveries and deactivations drop the entries they change.
      keys.validate();
      const cached = keys.get(hash);
      if (cached !== undefined) return cached;
      const row = db.stmt(KEY_BY_HASH_SQL).get(hash) as ApiKeyStateRow | undefined;
      if (!row) return null;
      const state = toApiKeyState(row);
      keys.set(hash, state);
      return state;
    },

    async revokeApiKey(agentId: string, keyId: string, now: number): Promise<boolean> {
      return db.write(() => {
        const key = db
          .stmt("SELECT id FROM api_keys WHERE id = ? AND agent_id = ?")
          .get(keyId, agentId);
        if (!key) return false;
        db.stmt("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(
          now,
          keyId,
        );
        db.stmt(
          "UPDATE sessions SET revoked_at = ? WHERE api_key_id = ? AND revoked_at IS NULL",
        ).run(now, keyId);
        sessions.deleteWhere((s) => s.apiKeyId === keyId);
        keys.deleteWhere((k) => k.id === keyId);
        return true;
      });
    },

    async createSession(s: NewSession, idHash: string): Promise<boolean> {
      // Group commit: concurrent exchanges share one transaction and one commit. The key is
      // re-checked inside it (revoking a key or deactivating its agent revokes it), so a
      // revocation committed after the handler's lookup still refuses the session.
      return db.writeBatched(() => {
        const used = db
          .stmt("UPDATE api_keys SET last_used_at = ? WHERE id = ? AND revoked_at IS NULL")
          .run(s.createdAt, s.apiKeyId);
        if (used.changes === 0) return false;
        db.stmt(
          `INSERT INTO sessions (id_hash, id, agent_id, api_key_id, created_at, expires_at, revoked_at)
           VALUES (?, ?, ?, ?, ?, ?, NULL)`,
        ).run(idHash, s.id, s.agentId, s.apiKeyId, s.createdAt, s.expiresAt);
        // The first request with the new token finds it without a read.
        const state: SessionState = {
          id: s.id,
          agentId: s.agentId,
          apiKeyId: s.apiKeyId,
          expiresAt: s.expiresAt,
          revokedAt: null,
        };
        db.afterCommit(() => sessions.set(idHash, state));
        return true;
      });
    },

    async getSession(idHash: string): Promise<SessionState | null> {
      // One `PRAGMA data_version` step instead of the row read: other processes' commits clear
      // the cache, this process's revocations drop their entries.
      sessions.validate();
      // A session's `expires_at` never changes, so a cached state is exactly the row's: the
      // caller's expiry check on it (against its own clock) refuses an expired session as before.
      const cached = sessions.get(idHash);
      if (cached !== undefined) return cached;
      const row = db.stmt(SESSION_BY_HASH_SQL).get(idHash) as SessionRow | undefined;
      if (!row) {
        sessions.delete(idHash);
        return null;
      }
      const state = toSessionState(row);
      sessions.set(idHash, state);
      return state;
    },

    async listSessions(
      agentId: string,
      currentId: string | null,
      now: number,
      limit: number,
      afterId?: string,
    ): Promise<SessionRecord[]> {
      const rows = db
        .stmt(
          `SELECT ${sessionColumns} FROM sessions
         WHERE agent_id = ? AND revoked_at IS NULL AND expires_at > ? AND (? IS NULL OR id < ?)
         ORDER BY id DESC LIMIT ?`,
        )
        .all(agentId, now, afterId ?? null, afterId ?? null, limit) as SessionRow[];
      return rows.map((r) => toSession(r, currentId));
    },

    async revokeSession(agentId: string, sessionIdHash: string, now: number): Promise<boolean> {
      return db.write(() => {
        const found = db
          .stmt("SELECT 1 FROM sessions WHERE id_hash = ? AND agent_id = ?")
          .get(sessionIdHash, agentId);
        if (!found) return false;
        db.stmt("UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL").run(
          now,
          sessionIdHash,
        );
        sessions.delete(sessionIdHash);
        return true;
      });
    },

    async rotateRecoveryKey(
      agentId: string,
      oldHash: string,
      newHash: string,
      now: number,
    ): Promise<boolean> {
      return db.write(() => replaceRecoveryKey(agentId, oldHash, newHash, now));
    },

    async recoverAccount(
      agentId: string,
      oldHash: string,
      newHash: string,
      now: number,
    ): Promise<boolean> {
      return db.write(() => {
        if (!replaceRecoveryKey(agentId, oldHash, newHash, now)) return false;
        db.stmt("UPDATE api_keys SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL").run(
          now,
          agentId,
        );
        db.stmt("UPDATE sessions SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL").run(
          now,
          agentId,
        );
        sessions.deleteWhere((s) => s.agentId === agentId);
        keys.deleteWhere((k) => k.agentId === agentId);
        return true;
      });
    },
  };
}
