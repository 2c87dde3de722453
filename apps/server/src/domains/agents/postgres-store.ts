import type { PgDatabase } from "../../storage/postgres/database.js";
import type { AgentRecord, OwnAgentRecord } from "./records.js";
import { type AgentRow, agentColumns, agentSearchParams, toAgent, toOwnAgent } from "./rows.js";
import type { AgentPatch, AgentSearch, AgentsStore } from "./store.js";

/** The PostgreSQL {@link AgentsStore}. */
export function createPgAgentsStore(db: PgDatabase): AgentsStore {
  return {
    async getAgent(id: string): Promise<OwnAgentRecord | null> {
      const [row] = await db.query<AgentRow>(`SELECT ${agentColumns} FROM agents WHERE id = $1`, [
        id,
      ]);
      return row ? toOwnAgent(row) : null;
    },

    async getAgentByHandle(handle: string): Promise<OwnAgentRecord | null> {
      const [row] = await db.query<AgentRow>(
        `SELECT ${agentColumns} FROM agents WHERE handle = $1`,
        [handle],
      );
      return row ? toOwnAgent(row) : null;
    },

    async updateAgent(id: string, patch: AgentPatch, now: number): Promise<OwnAgentRecord> {
      const [row] = await db.query<AgentRow>(
        `UPDATE agents SET
         display_name = coalesce(@display_name, display_name),
         description = coalesce(@description, description),
         tags = coalesce(@tags, tags),
         avatar_url = CASE WHEN @set_avatar THEN @avatar_url ELSE avatar_url END,
         metadata = coalesce(@metadata, metadata),
         discoverable = coalesce(@discoverable, discoverable),
         updated_at = @now
       WHERE id = @id RETURNING ${agentColumns}`,
        {
          display_name: patch.display_name ?? null,
          description: patch.description ?? null,
          tags: patch.tags ? JSON.stringify(patch.tags) : null,
          set_avatar: patch.avatar_url !== undefined,
          avatar_url: patch.avatar_url ?? null,
          metadata: patch.metadata ? JSON.stringify(patch.metadata) : null,
          discoverable: patch.discoverable ?? null,
          now,
          id,
        },
      );
      if (!row) throw new Error(`agent ${id} vanished during its own update`);
      return toOwnAgent(row);
    },

    async searchAgents(search: AgentSearch): Promise<AgentRecord[]> {
      const rows = await db.query<AgentRow>(
        `SELECT ${agentColumns} FROM agents a
       WHERE a.discoverable AND a.deactivated_at IS NULL
         AND (@after::text IS NULL OR a.handle > @after)
         AND (@q::text IS NULL OR a.handle LIKE @prefix ESCAPE '\\'
              OR lower(a.display_name) LIKE @prefix ESCAPE '\\'
              OR lower(a.display_name) LIKE @word ESCAPE '\\')
         AND (@tag::text IS NULL OR a.tags::jsonb ? @tag)
         AND NOT EXISTS (
           SELECT 1 FROM blocks b WHERE b.type = 'agent'
             AND ((b.blocker_id = @caller AND b.target_id = a.id)
               OR (b.blocker_id = a.id AND b.target_id = @caller)))
       ORDER BY a.handle LIMIT @limit`,
        agentSearchParams(search),
      );
      return rows.map(toAgent);
    },

    async deactivateAgent(id: string, now: number): Promise<void> {
      await db.tx(async (q) => {
        await q(
          "UPDATE agents SET deactivated_at = coalesce(deactivated_at, $1), recovery_key_hash = NULL, updated_at = $1 WHERE id = $2",
          [now, id],
        );
        await q("UPDATE api_keys SET revoked_at = $1 WHERE agent_id = $2 AND revoked_at IS NULL", [
          now,
          id,
        ]);
        await q("UPDATE sessions SET revoked_at = $1 WHERE agent_id = $2 AND revoked_at IS NULL", [
          now,
          id,
        ]);
      });
    },
  };
}
