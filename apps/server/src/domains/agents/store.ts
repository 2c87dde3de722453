/** An agent as stored (times in epoch ms). */
export interface AgentRecord {
  id: string;
  handle: string;
  displayName: string;
  description: string;
  tags: string[];
  avatarUrl: string | null;
  metadata: Record<string, unknown>;
  discoverable: boolean;
  createdAt: number;
  updatedAt: number;
  deactivatedAt: number | null;
}

/** The writable profile fields (`PATCH /api/agents/me`). */
export interface AgentPatch {
  displayName?: string;
  description?: string;
  tags?: string[];
  avatarUrl?: string | null;
  metadata?: Record<string, unknown>;
  discoverable?: boolean;
}

/** Discovery query; `afterHandle` is the keyset position from the cursor. */
export interface AgentSearch {
  callerId: string;
  q?: string | undefined;
  tag?: string | undefined;
  afterHandle?: string | undefined;
  limit: number;
}

/** Storage of the Agents domain. */
export interface AgentsStore {
  /** An agent by id, deactivated ones included; null when absent. */
  getAgent(id: string): Promise<AgentRecord | null>;
  /** An agent by (lowercase) handle; null when absent. */
  getAgentByHandle(handle: string): Promise<AgentRecord | null>;
  /** Applies `patch` in one transaction and returns the new record. */
  updateAgent(id: string, patch: AgentPatch, now: number): Promise<AgentRecord>;
  /** Discoverable, active agents matching the search, not in a block with the caller, by handle. */
  searchAgents(search: AgentSearch): Promise<AgentRecord[]>;
  /** Deactivates the agent and revokes its recovery key, api keys and sessions in one transaction. */
  deactivateAgent(id: string, now: number): Promise<void>;
}
