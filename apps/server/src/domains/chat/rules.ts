import { ROLE_RANK, type Role } from "../../domains/chat/store.js";

/** Whether a member with `mine` may add someone with `role`: admins and owners, up to their own rank. */
export function mayAddMember(mine: Role, role: Role): boolean {
  const rank = ROLE_RANK[mine];
  return rank >= ROLE_RANK.admin && ROLE_RANK[role] <= rank;
}

/** Whether a member with `mine` may remove another member with `theirs`: only from above, as admin or owner. */
export function mayRemoveMember(mine: Role, theirs: Role): boolean {
  const rank = ROLE_RANK[mine];
  return rank >= ROLE_RANK.admin && rank > ROLE_RANK[theirs];
}

/** Whether a member with `mine` may give another member (now `theirs`) the role `role`. */
export function maySetOthersRole(mine: Role, theirs: Role, role: Role): boolean {
  return mayRemoveMember(mine, theirs) && ROLE_RANK[role] <= ROLE_RANK[mine];
}

/** The refusal to add an agent that is missing or deactivated, or undefined when it is active. */
export function addableAgentRefusal(state: "missing" | "inactive" | "active") {
  if (state === "active") return undefined;
  const message = state === "missing" ? "no such agent" : "the agent is deactivated";
  return { ok: false, code: "invalid", path: "body.agent_id", message } as const;
}
