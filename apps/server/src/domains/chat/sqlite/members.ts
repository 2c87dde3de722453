import { keysetPage } from "../../../storage/shared/keyset.js";
import { sqliteEvents } from "../../events/sqlite-store.js";
import { type MemberRow, type Membership, toMember } from "../rows.js";
import {
  addMemberRefusal,
  leaveRefusal,
  groupMembership as membershipRule,
  NOT_A_MEMBER,
  ownerCountMatters,
  removeMemberRefusal,
  roleChangeRefusal,
  soleOwnerWithOthers,
} from "../rules.js";
import type { MemberRecord, Outcome } from "../store.js";
import type { MemberOps } from "../store-slices.js";
import { agentState, viewOf } from "./conversations.js";
import { conversationListCache } from "./list-cache.js";
import { agentsBlockEitherWay, type Db, type Stmt } from "./sql.js";

/** The caller's membership in a conversation, or a refusal (404 / 422 for direct). */
export function groupMembership(stmt: Stmt, caller: string, id: string): Outcome<Membership> {
  const row = stmt(
    `SELECT c.type, c.member_count, m.role FROM conversation_members m
     JOIN conversations c ON c.id = m.conversation_id
     WHERE m.conversation_id = ? AND m.agent_id = ?`,
  ).get(id, caller) as Membership | undefined;
  return membershipRule(row);
}

function memberOf(stmt: Stmt, id: string, agent: string): MemberRow | undefined {
  return stmt(
    `SELECT agent_id, role, joined_at FROM conversation_members
     WHERE conversation_id = ? AND agent_id = ?`,
  ).get(id, agent) as MemberRow | undefined;
}

/** {@link soleOwnerWithOthers}, counting the owners only when it matters. */
function soleOwner(stmt: Stmt, id: string, m: Membership): boolean {
  if (!ownerCountMatters(m)) return false;
  const owners = stmt(
    "SELECT count(*) AS n FROM conversation_members WHERE conversation_id = ? AND role = 'owner'",
  ).get(id) as { n: number };
  return soleOwnerWithOthers(m, owners.n);
}

/** Deletes a membership and keeps the conversation's member count. */
function deleteMember(stmt: Stmt, id: string, agent: string): void {
  stmt("DELETE FROM conversation_members WHERE conversation_id = ? AND agent_id = ?").run(
    id,
    agent,
  );
  stmt("UPDATE conversations SET member_count = member_count - 1 WHERE id = ?").run(id);
}

/**
 * Removes the caller from a group inside the current transaction. The sole owner cannot leave
 * while others remain (last_owner); leaving an otherwise empty group is allowed.
 */
export function leaveGroup(
  db: Db,
  stmt: Stmt,
  caller: string,
  id: string,
  m: Membership,
  now: number,
): Outcome<null> {
  const refused = leaveRefusal(soleOwner(stmt, id, m));
  if (refused) return refused;
  const me = memberOf(stmt, id, caller);
  deleteMember(stmt, id, caller);
  if (me !== undefined) {
    sqliteEvents(db).writer.toMembers({
      type: "member.removed",
      conversationId: id,
      data: toMember(me),
      now,
      also: caller,
    });
  }
  return { ok: true, value: null };
}

/** Member operations of the SQLite chat store. */
export function memberOps(db: Db, stmt: Stmt): MemberOps {
  const events = sqliteEvents(db).writer;
  const lists = conversationListCache(db);
  return {
    async listMembers(caller, id, after, limit) {
      const m = groupMembership(stmt, caller, id);
      if (!m.ok) return m;
      const rows = stmt(
        `SELECT agent_id, role, joined_at FROM conversation_members
         WHERE conversation_id = @id
           AND (@after_at IS NULL OR (joined_at, agent_id) > (@after_at, @after_id))
         ORDER BY joined_at, agent_id LIMIT @limit`,
      ).all({
        id,
        after_at: after?.joined_at ?? null,
        after_id: after?.agent_id ?? null,
        limit: limit + 1,
      }) as MemberRow[];
      const key = (r: MemberRow) => ({ joined_at: r.joined_at, agent_id: r.agent_id });
      return { ok: true, value: keysetPage(rows, limit, toMember, key) };
    },

    async addMember(caller, id, agent, role, now) {
      return db.write(() =>
        lists.tracked((): Outcome<MemberRecord> => {
          lists.touchMembers(id);
          const m = groupMembership(stmt, caller, id);
          if (!m.ok) return m;
          const bannedHere =
            stmt(
              "SELECT 1 FROM blocks WHERE blocker_id = ? AND type = 'conversation' AND target_id = ?",
            ).get(agent, id) !== undefined;
          const refused = addMemberRefusal({
            mine: m.value.role,
            role,
            agent: agentState(stmt, agent),
            alreadyMember: memberOf(stmt, id, agent) !== undefined,
            blocked: bannedHere || agentsBlockEitherWay(stmt, caller, agent),
          });
          if (refused) return refused;
          lists.touchAgent(agent);
          stmt(
            `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
           VALUES (?, ?, ?, ?)`,
          ).run(id, agent, role, now);
          stmt("UPDATE conversations SET member_count = member_count + 1 WHERE id = ?").run(id);
          const member = toMember({ agent_id: agent, role, joined_at: now });
          const view = viewOf(stmt, agent, id);
          if (view !== undefined) {
            events.toAgent(agent, {
              type: "conversation.created",
              conversationId: id,
              data: view,
              now,
            });
          }
          events.toMembers({ type: "member.added", conversationId: id, data: member, now });
          return { ok: true, value: member };
        }),
      );
    },

    async updateMember(caller, id, agent, role) {
      return db.write(() =>
        lists.tracked((): Outcome<MemberRecord> => {
          lists.touchMembers(id);
          const m = groupMembership(stmt, caller, id);
          if (!m.ok) return m;
          const target = memberOf(stmt, id, agent);
          const self = agent === caller;
          const refused = roleChangeRefusal({
            self,
            mine: m.value,
            theirs: target?.role,
            role,
            soleOwnerWithOthers: self && soleOwner(stmt, id, m.value),
          });
          if (refused || target === undefined) return refused ?? NOT_A_MEMBER;
          stmt(
            "UPDATE conversation_members SET role = ? WHERE conversation_id = ? AND agent_id = ?",
          ).run(role, id, agent);
          const member = toMember({ ...target, role });
          events.toMembers({
            type: "member.updated",
            conversationId: id,
            data: member,
            now: Date.now(),
          });
          return { ok: true, value: member };
        }),
      );
    },

    async removeMember(caller, id, agent, now) {
      return db.write(() =>
        lists.tracked((): Outcome<null> => {
          lists.touchMembers(id);
          const m = groupMembership(stmt, caller, id);
          if (!m.ok) return m;
          const target = memberOf(stmt, id, agent);
          const refused = removeMemberRefusal(m.value.role, target?.role);
          if (refused || target === undefined) return refused ?? NOT_A_MEMBER;
          deleteMember(stmt, id, agent);
          events.toMembers({
            type: "member.removed",
            conversationId: id,
            data: toMember(target),
            now,
            also: agent,
          });
          return { ok: true, value: null };
        }),
      );
    },

    async leave(caller, id, now) {
      return db.write(() =>
        lists.tracked((): Outcome<null> => {
          lists.touchMembers(id);
          const m = groupMembership(stmt, caller, id);
          if (!m.ok) return m;
          return leaveGroup(db, stmt, caller, id, m.value, now);
        }),
      );
    },
  };
}
