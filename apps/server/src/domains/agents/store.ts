import type { AgentRecord, OwnAgentRecord } from "./records.js";

/** The writable profile fields (`PATCH /api/agents/me`, the validated body as is). */
export interface AgentPatch {
  display_name?: string | undefined;
  description?: string | undefined;
  tags?: string[] | undefined;
  avatar_url?: string | null | undefined;
  metadata?: Record<string, unknown> | undefined;
  discoverable?: boolean | undefined;
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
  getAgent(id: string): Promise<OwnAgentRecord | null>;
  /** An agent by (lowercase) handle; null when absent. */
  getAgentByHandle(handle: string): Promise<OwnAgentRecord | null>;
  /** Applies `patch` in one transaction and returns the new record. */
  updateAgent(id: string, patch: AgentPatch, now: number): Promise<OwnAgentRecord>;
  /** Discoverable, active agents matching the search, not in a block with the caller, by handle. */
  searchAgents(search: AgentSearch): Promise<AgentRecord[]>;
  /** Deactivates the agent and revokes its recovery key, api keys and sessions in one transaction. */
  deactivateAgent(id: string, now: number): Promise<void>;
}
