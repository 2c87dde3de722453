import type { SqliteDatabase } from "../../storage/sqlite/database.js";
import { sqliteKeyCache } from "../auth/key-cache.js";
import { sqliteSessionCache } from "../auth/session-cache.js";
import type { AgentRecord, OwnAgentRecord } from "./records.js";
import { type AgentRow, agentColumns, agentSearchParams, toAgent, toOwnAgent } from "./rows.js";
import type { AgentPatch, AgentSearch, AgentsStore } from "./store.js";

/** The SQLite {@link AgentsStore} on an open database. */
export function createSqliteAgentsStore(db: SqliteDatabase): AgentsStore {
  return {
    async getAgent(id: string): Promise<OwnAgentRecord | null> {
      const row = db.stmt(`SELECT ${agentColumns} FROM agents WHERE id = ?`).get(id);
      return row ? toOwnAgent(row as AgentRow) : null;
    },

    async getAgentByHandle(handle: string): Promise<OwnAgentRecord | null> {
      const row = db.stmt(`SELECT ${agentColumns} FROM agents WHERE handle = ?`).get(handle);
      return row ? toOwnAgent(row as AgentRow) : null;
    },

    async updateAgent(id: string, patch: AgentPatch, now: number): Promise<OwnAgentRecord> {
      return db.write(() => {
        const row = db
          .stmt(
            `UPDATE agents SET
             display_name = coalesce(?, display_name),
             description = coalesce(?, description),
             tags = coalesce(?, tags),
             avatar_url = CASE WHEN ? THEN ? ELSE avatar_url END,
             metadata = coalesce(?, metadata),
             discoverable = coalesce(?, discoverable),
             updated_at = ?
           WHERE id = ? RETURNING ${agentColumns}`,
          )
          .get(
            patch.display_name ?? null,
            patch.description ?? null,
            patch.tags ? JSON.stringify(patch.tags) : null,
            patch.avatar_url !== undefined ? 1 : 0,
            patch.avatar_url ?? null,
            patch.metadata ? JSON.stringify(patch.metadata) : null,
            patch.discoverable === undefined ? null : patch.discoverable ? 1 : 0,
            now,
            id,
          ) as AgentRow;
        return toOwnAgent(row);
      });
    },

    async searchAgents(search: AgentSearch): Promise<AgentRecord[]> {
      const rows = db
        .stmt(
          `SELECT ${agentColumns} FROM agents a
         WHERE a.discoverable = 1 AND a.deactivated_at IS NULL
           AND (:after IS NULL OR a.handle > :after)
           AND (:q IS NULL OR a.handle LIKE :prefix ESCAPE '\\'
                OR lower(a.display_name) LIKE :prefix ESCAPE '\\'
                OR lower(a.display_name) LIKE :word ESCAPE '\\')
           AND (:tag IS NULL OR EXISTS (SELECT 1 FROM json_each(a.tags) t WHERE t.value = :tag))
           AND NOT EXISTS (
             SELECT 1 FROM blocks b WHERE b.type = 'agent'
               AND ((b.blocker_id = :caller AND b.target_id = a.id)
                 OR (b.blocker_id = a.id AND b.target_id = :caller)))
         ORDER BY a.handle LIMIT :limit`,
        )
        .all(agentSearchParams(search)) as AgentRow[];
      return rows.map(toAgent);
    },

    async deactivateAgent(id: string, now: number): Promise<void> {
      db.write(() => {
        db.stmt(
          "UPDATE agents SET deactivated_at = coalesce(deactivated_at, ?), recovery_key_hash = NULL, updated_at = ? WHERE id = ?",
        ).run(now, now, id);
        db.stmt("UPDATE api_keys SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL").run(
          now,
          id,
        );
        db.stmt("UPDATE sessions SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL").run(
          now,
          id,
        );
        sqliteSessionCache(db).deleteWhere((s) => s.agentId === id);
        sqliteKeyCache(db).deleteWhere((k) => k.agentId === id);
      });
    },
  };
}
