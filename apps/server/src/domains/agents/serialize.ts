import { toNullableTimestamp, toTimestamp } from "../../platform/clock.js";
import type { AgentRecord } from "./store.js";

/** The public `Agent` JSON of a record. */
export function toAgentJson(a: AgentRecord) {
  return {
    id: a.id,
    handle: a.handle,
    display_name: a.displayName,
    description: a.description,
    tags: a.tags,
    avatar_url: a.avatarUrl,
    metadata: a.metadata,
    created_at: toTimestamp(a.createdAt),
    updated_at: toTimestamp(a.updatedAt),
    deactivated_at: toNullableTimestamp(a.deactivatedAt),
  };
}

/** The caller's own `OwnAgent` JSON (adds `discoverable`). */
export function toOwnAgentJson(a: AgentRecord) {
  return { ...toAgentJson(a), discoverable: a.discoverable };
}
