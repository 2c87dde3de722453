import type { MemberRecord, Role } from "../../domains/chat/store.js";
import { toTimestamp } from "../../platform/clock.js";

/** The caller's membership in a conversation, as member management reads it. */
export interface Membership {
  type: "direct" | "group";
  role: Role;
  member_count: number;
}

/** The refusal to manage members of a direct conversation (422 at the path's id). */
export const DIRECT_REFUSED = {
  ok: false,
  code: "invalid",
  path: "path.conversation_id",
  message: "members can only be managed in group conversations",
} as const;

/** A `conversation_members` row as member listings read it (`joined_at` epoch ms). */
export interface MemberRow {
  agent_id: string;
  role: Role;
  joined_at: number;
}

/** Turns a member row into its API shape. */
export function toMember(row: MemberRow): MemberRecord {
  return { agent_id: row.agent_id, role: row.role, joined_at: toTimestamp(row.joined_at) };
}
