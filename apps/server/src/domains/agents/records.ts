/** The Agents resources in their API shape, as the stores return them. */

/** An agent as anyone sees it (`Agent`). */
export interface AgentRecord {
  id: string;
  handle: string;
  display_name: string;
  description: string;
  tags: string[];
  avatar_url: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  deactivated_at: string | null;
}

/** An agent as it sees itself (`OwnAgent`: `Agent` then `discoverable`, in that order). */
export interface OwnAgentRecord extends AgentRecord {
  discoverable: boolean;
}

/** What registration chooses of a new agent; the rest starts empty (no avatar, `{}` metadata). */
export type NewAgent = Pick<
  OwnAgentRecord,
  "id" | "handle" | "display_name" | "description" | "tags" | "discoverable"
>;

/** The public `Agent` of an own record (drops `discoverable`, keeps the field order). */
export function toPublicAgent({ discoverable: _, ...agent }: OwnAgentRecord): AgentRecord {
  return agent;
}
