import type { Outcome } from "../../platform/outcome.js";
import type { Membership } from "../chat/rows.js";
import type { AgentState, Refused } from "../chat/rules.js";
import type { BlockRecord } from "./records.js";

/**
 * The blocks domain's rules as pure functions, called by both backends inside their write
 * transaction (the SQL that reads the facts and writes the rows is in the stores).
 */

/** What blocking answers: the block, and whether this request created it. */
export type Made = Outcome<{ block: BlockRecord; created: boolean }>;

/** Blocking again is not an error: a standing block is answered as is (`created: false`). */
export function standingBlock(prior: BlockRecord | undefined): Made | undefined {
  return prior === undefined ? undefined : { ok: true, value: { block: prior, created: false } };
}

/** Only an agent that exists (active or not) can be blocked. */
export function agentBlockRefusal(agent: AgentState): Refused | undefined {
  return agent === "missing" ? { ok: false, code: "not_found" } : undefined;
}

/**
 * What blocking a conversation does first, from the caller's membership: a conversation the
 * caller is not in is not found; a group block is a ban on oneself, so the caller leaves the
 * group first (and addMember refuses while it stands); a direct conversation is just blocked.
 */
export function conversationBlockStep(m: Outcome<Membership>): Refused | "leave" | "block" {
  if (m.ok) return "leave";
  return m.code === "not_found" ? m : "block";
}
