import type {
  AgentPatch,
  AgentRecord,
  AgentSearch,
  AgentsStore,
} from "../../domains/agents/store.js";
import type { PgDatabase } from "./database.js";

interface AgentRow {
  id: string;
  handle: string;
  display_name: string;
  description: string;
  tags: string;
  avatar_url: string | null;
  metadata: string;
  discoverable: boolean;
  created_at: number;
  updated_at: number;
  deactivated_at: number | null;
}

/** The columns of an agent, for SELECTs (never the recovery-key hash). */
const agentColumns =
  "id, handle, display_name, description, tags, avatar_url, metadata, discoverable, created_at, updated_at, deactivated_at";

function toAgentRecord(row: AgentRow): AgentRecord {
  return {
    id: row.id,
    handle: row.handle,
    displayName: row.display_name,
    description: row.description,
    tags: JSON.parse(row.tags) as string[],
    avatarUrl: row.avatar_url,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    discoverable: row.discoverable,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deactivatedAt: row.deactivated_at,
  };
}

/** Escapes LIKE wildcards so a user's `%` or `_` matches literally. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/** PostgreSQL implementation of {@link AgentsStore}. */
export class PgAgentsStore implements AgentsStore {
  constructor(private readonly db: PgDatabase) {}

  async getAgent(id: string): Promise<AgentRecord | null> {
    const [row] = await this.db.query<AgentRow>(
      `SELECT ${agentColumns} FROM agents WHERE id = $1`,
      [id],
    );
    return row ? toAgentRecord(row) : null;
  }

  async getAgentByHandle(handle: string): Promise<AgentRecord | null> {
    const [row] = await this.db.query<AgentRow>(
      `SELECT ${agentColumns} FROM agents WHERE handle = $1`,
      [handle],
    );
    return row ? toAgentRecord(row) : null;
  }

  async updateAgent(id: string, patch: AgentPatch, now: number): Promise<AgentRecord> {
    const [row] = await this.db.query<AgentRow>(
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
        display_name: patch.displayName ?? null,
        description: patch.description ?? null,
        tags: patch.tags ? JSON.stringify(patch.tags) : null,
        set_avatar: patch.avatarUrl !== undefined,
        avatar_url: patch.avatarUrl ?? null,
        metadata: patch.metadata ? JSON.stringify(patch.metadata) : null,
        discoverable: patch.discoverable ?? null,
        now,
        id,
      },
    );
    if (!row) throw new Error(`agent ${id} vanished during its own update`);
    return toAgentRecord(row);
  }

  async searchAgents(search: AgentSearch): Promise<AgentRecord[]> {
    const q = search.q?.toLowerCase();
    const rows = await this.db.query<AgentRow>(
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
      {
        after: search.afterHandle ?? null,
        q: q ?? null,
        prefix: q === undefined ? null : `${likeEscape(q)}%`,
        word: q === undefined ? null : `% ${likeEscape(q)}%`,
        tag: search.tag ?? null,
        caller: search.callerId,
        limit: search.limit,
      },
    );
    return rows.map(toAgentRecord);
  }

  async deactivateAgent(id: string, now: number): Promise<void> {
    await this.db.tx(async (q) => {
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
  }
}
