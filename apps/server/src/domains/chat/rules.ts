import type { Refusal } from "../../platform/outcome.js";
import type { Membership, MessageRow } from "./rows.js";
import {
  type ConversationRecord,
  type MessageEdit,
  type NewMessage,
  type Outcome,
  ROLE_RANK,
  type Role,
} from "./store.js";

/**
 * The chat domain's rules as pure functions: who may do what to a conversation, its members and
 * its messages. Both backends read the facts with their own SQL inside their write transaction,
 * ask these functions, then write; no rule is restated in sqlite/ or postgres/.
 */

/** A refusal as the store returns it. */
export type Refused = { ok: false } & Refusal;

/** Whether an agent exists and is active, as the stores read it. */
export type AgentState = "missing" | "inactive" | "active";

/** The refusal for a conversation or message the caller cannot see. */
export const NOT_FOUND = { ok: false, code: "not_found" } as const;

/** The refusal to manage members of a direct conversation (422 at the path's id). */
export const DIRECT_REFUSED = {
  ok: false,
  code: "invalid",
  path: "path.conversation_id",
  message: "members can only be managed in group conversations",
} as const;

/** The refusal when the other agent of a direct conversation is deactivated. */
export const AGENT_DEACTIVATED = {
  ok: false,
  code: "invalid",
  path: "body.agent_id",
  message: "the agent is deactivated",
} as const;

// ---------------------------------------------------------------------------------------------
// Conversations

/** The pair of a direct conversation in its stored order (`direct_low` < `direct_high`). */
export function directPair(a: string, b: string): [low: string, high: string] {
  return a < b ? [a, b] : [b, a];
}

/**
 * Why `caller` may not open a direct conversation with another agent, or undefined: the agent
 * must exist and be active, and no agent block may stand between the two (either way).
 */
export function openDirectRefusal(other: AgentState, blockedEitherWay: boolean) {
  if (other === "missing") return NOT_FOUND;
  if (other === "inactive") return AGENT_DEACTIVATED;
  if (blockedEitherWay) return { ok: false, code: "blocked" } as const;
  return undefined;
}

/**
 * Who a new group gets, or why it is refused: every listed agent but the caller must exist and
 * be active (each bad entry named by its index), duplicates count once, and agents on either
 * side of an agent block with the caller are skipped (reported, not refused).
 */
export function groupMembers(
  caller: string,
  memberIds: readonly string[],
  stateOf: (agent: string) => AgentState,
  blockedWithCaller: (agent: string) => boolean,
): Outcome<{ members: string[]; skipped: string[] }> {
  const bad = memberIds.flatMap((m, i) => {
    if (m === caller) return [];
    const state = stateOf(m);
    if (state === "active") return [];
    const message = state === "missing" ? "No such agent." : "The agent is deactivated.";
    return [{ path: `body.member_ids.${i}`, message }];
  });
  const [first, ...more] = bad;
  if (first !== undefined) return { ok: false, code: "invalid", ...first, more };
  const wanted = [...new Set(memberIds)].filter((m) => m !== caller);
  const skipped = wanted.filter(blockedWithCaller);
  return { ok: true, value: { members: wanted.filter((m) => !skipped.includes(m)), skipped } };
}

/** The agents of a new group other than the caller, deduplicated (whose facts the rules need). */
export function otherMembers(caller: string, memberIds: readonly string[]): string[] {
  return [...new Set(memberIds)].filter((m) => m !== caller);
}

/**
 * Why the caller may not change a conversation's title or description, or undefined when they
 * may: only members see it, direct conversations have neither, plain members of a group cannot.
 */
export function conversationEditRefusal(view: ConversationRecord | undefined) {
  if (view === undefined) return NOT_FOUND;
  if (view.type === "direct") {
    return {
      ok: false,
      code: "invalid",
      path: "path.conversation_id",
      message: "a direct conversation has no title or description",
    } as const;
  }
  if (view.role === "member") return { ok: false, code: "forbidden" } as const;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Members

/** The caller's membership as member management needs it: not_found, direct refused, or it. */
export function groupMembership(row: Membership | undefined): Outcome<Membership> {
  if (row === undefined) return NOT_FOUND;
  if (row.type === "direct") return DIRECT_REFUSED;
  return { ok: true, value: row };
}

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
export function addableAgentRefusal(state: AgentState) {
  if (state === "active") return undefined;
  const message = state === "missing" ? "no such agent" : "the agent is deactivated";
  return { ok: false, code: "invalid", path: "body.agent_id", message } as const;
}

/** Whether {@link soleOwnerWithOthers} needs the group's owner count (it costs a query). */
export const ownerCountMatters = (m: Membership): boolean =>
  m.role === "owner" && m.member_count > 1;

/**
 * Whether the caller is the sole owner of a group that has other members: such an owner may not
 * leave or step down. `owners` is the group's owner count, read when {@link ownerCountMatters}.
 */
export function soleOwnerWithOthers(m: Membership, owners: number | undefined): boolean {
  return ownerCountMatters(m) && owners === 1;
}

/** The refusal for a target agent that is not a member. */
export const NOT_A_MEMBER = { ok: false, code: "not_a_member" } as const;

/**
 * Why adding `agent` as `role` is refused, in the order the API reports it: the caller's role,
 * the agent's state, an existing membership, then a block (the agent banned the conversation or
 * an agent block stands between caller and agent, either way).
 */
export function addMemberRefusal(facts: {
  mine: Role;
  role: Role;
  agent: AgentState;
  alreadyMember: boolean;
  blocked: boolean;
}): Refused | undefined {
  if (!mayAddMember(facts.mine, facts.role)) return { ok: false, code: "forbidden" };
  const refused = addableAgentRefusal(facts.agent);
  if (refused !== undefined) return refused;
  if (facts.alreadyMember) return { ok: false, code: "already_member" };
  if (facts.blocked) return { ok: false, code: "blocked" };
  return undefined;
}

/**
 * Why giving `agent` (now `theirs`, undefined when not a member) the role `role` is refused.
 * Oneself: never above one's own rank, and the sole owner of a group with others keeps the
 * ownership. Others: only from above, up to one's own rank.
 */
export function roleChangeRefusal(facts: {
  self: boolean;
  mine: Membership;
  theirs: Role | undefined;
  role: Role;
  soleOwnerWithOthers: boolean;
}): Refused | undefined {
  if (facts.theirs === undefined) return NOT_A_MEMBER;
  if (facts.self) {
    if (ROLE_RANK[facts.role] > ROLE_RANK[facts.mine.role]) return { ok: false, code: "forbidden" };
    if (facts.role !== "owner" && facts.soleOwnerWithOthers) {
      return { ok: false, code: "last_owner" };
    }
  } else if (!maySetOthersRole(facts.mine.role, facts.theirs, facts.role)) {
    return { ok: false, code: "forbidden" };
  }
  return undefined;
}

/** Why removing a member (`theirs`, undefined when not a member) is refused to `mine`. */
export function removeMemberRefusal(mine: Role, theirs: Role | undefined): Refused | undefined {
  if (theirs === undefined) return NOT_A_MEMBER;
  if (!mayRemoveMember(mine, theirs)) return { ok: false, code: "forbidden" };
  return undefined;
}

/** Why leaving is refused: the sole owner cannot leave while others remain. */
export function leaveRefusal(soleOwner: boolean): Refused | undefined {
  return soleOwner ? { ok: false, code: "last_owner" } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Messages

/** The caller's membership as the message operations of both backends read it. */
export interface MessageAccess {
  type: "direct" | "group";
  role: Role;
  direct_low: string | null;
  direct_high: string | null;
}

/** Whether a send needs the direct-conversation block check (a query). */
export const sendNeedsBlockCheck = (a: MessageAccess | undefined): boolean => a?.type === "direct";

/**
 * Why a send is refused: the caller must be a member, a direct conversation must not be blocked
 * by either side, and `reply_to_id` must name a message of this conversation.
 */
export function sendRefusal(
  a: MessageAccess | undefined,
  directBlocked: boolean,
  replyFound: boolean,
): Refused | undefined {
  if (a === undefined) return NOT_FOUND;
  if (directBlocked) return { ok: false, code: "blocked" };
  if (!replyFound) {
    const message = "reply_to_id must name a message of this conversation";
    return { ok: false, code: "invalid", path: "body.reply_to_id", message };
  }
  return undefined;
}

/** The stored row of a new message at `seq`. */
export function newMessageRow(
  caller: string,
  conversation: string,
  input: NewMessage,
  seq: number,
  now: number,
): MessageRow {
  return {
    id: input.id,
    conversation_id: conversation,
    seq,
    author_id: caller,
    content: input.content,
    content_type: input.content_type,
    reply_to_id: input.reply_to_id,
    metadata: input.metadata === null ? null : JSON.stringify(input.metadata),
    created_at: now,
    edited_at: null,
    deleted_at: null,
  };
}

/** New content of an `application/json` message must still parse (its type cannot change). */
function fitsContentType(content: string, type: string): boolean {
  if (type !== "application/json") return true;
  try {
    JSON.parse(content);
    return true;
  } catch {
    return false;
  }
}

/**
 * The row after `caller`'s edit, or why the edit is refused: the message must exist (undefined:
 * not found), only the author edits, a deleted message stays deleted, JSON content must still
 * parse. `metadata: null` clears it.
 */
export function editedMessage(
  row: MessageRow | undefined,
  caller: string,
  edit: MessageEdit,
  now: number,
): Outcome<MessageRow> {
  if (row === undefined) return NOT_FOUND;
  if (row.author_id !== caller) return { ok: false, code: "not_message_author" };
  if (row.deleted_at !== null) return { ok: false, code: "message_deleted" };
  if (edit.content !== undefined && !fitsContentType(edit.content, row.content_type)) {
    const message = "application/json content must parse as JSON.";
    return { ok: false, code: "invalid", path: "body.content", message };
  }
  return {
    ok: true,
    value: {
      ...row,
      content: edit.content ?? row.content,
      metadata:
        edit.metadata === undefined
          ? row.metadata
          : edit.metadata === null
            ? null
            : JSON.stringify(edit.metadata),
      edited_at: now,
    },
  };
}

/** Whether `caller` may delete the message: its author, or a group's admin or owner. */
export function mayDeleteMessage(row: MessageRow, caller: string, a: MessageAccess): boolean {
  const moderator = a.type === "group" && ROLE_RANK[a.role] >= ROLE_RANK.admin;
  return row.author_id === caller || moderator;
}

/** The tombstone a deletion leaves: content and metadata gone, `deleted_at` set. */
export function tombstoneOf(row: MessageRow, now: number): MessageRow {
  return { ...row, content: null, metadata: null, deleted_at: now };
}

/**
 * What deleting a message does: refused (not found, not the author nor a moderator), nothing
 * (already deleted: the tombstone again, `changed: false`), or the tombstone to write.
 */
export function deletion(
  row: MessageRow | undefined,
  caller: string,
  a: MessageAccess,
  now: number,
): Outcome<{ row: MessageRow; changed: boolean }> {
  if (row === undefined) return NOT_FOUND;
  if (!mayDeleteMessage(row, caller, a)) return { ok: false, code: "not_message_author" };
  if (row.deleted_at !== null) return { ok: true, value: { row, changed: false } };
  return { ok: true, value: { row: tombstoneOf(row, now), changed: true } };
}
