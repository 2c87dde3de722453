import type { MemberRecord, Outcome } from "../../domains/chat/store.js";
import { ROLE_RANK } from "../../domains/chat/store.js";
import { sqliteEvents } from "../../domains/events/sqlite-store.js";
import type { MemberOps } from "../shared/chat-ops.js";
import {
  DIRECT_REFUSED,
  type MemberRow,
  type Membership,
  toMember,
} from "../shared/member-rows.js";
import {
  addableAgentRefusal,
  mayAddMember,
  mayRemoveMember,
  maySetOthersRole,
} from "../shared/member-rules.js";
import { agentState, viewOf } from "./chat-conversations.js";
import { agentsBlockEitherWay, type Db, type Stmt } from "./chat-sql.js";

/** The caller's membership in a conversation, or a refusal (404 / 422 for direct). */
export function groupMembership(stmt: Stmt, caller: string, id: string): Outcome<Membership> {
  const row = stmt(
    `SELECT c.type, c.member_count, m.role FROM conversation_members m
     JOIN conversations c ON c.id = m.conversation_id
     WHERE m.conversation_id = ? AND m.agent_id = ?`,
  ).get(id, caller) as Membership | undefined;
  if (row === undefined) return { ok: false, code: "not_found" };
  if (row.type === "direct") return DIRECT_REFUSED;
  return { ok: true, value: row };
}

function memberOf(stmt: Stmt, id: string, agent: string): MemberRow | undefined {
  return stmt(
    `SELECT agent_id, role, joined_at FROM conversation_members
     WHERE conversation_id = ? AND agent_id = ?`,
  ).get(id, agent) as MemberRow | undefined;
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
  if (soleOwnerWithOthers(stmt, id, m)) return { ok: false, code: "last_owner" };
  const me = memberOf(stmt, id, caller);
  stmt("DELETE FROM conversation_members WHERE conversation_id = ? AND agent_id = ?").run(
    id,
    caller,
  );
  stmt("UPDATE conversations SET member_count = member_count - 1 WHERE id = ?").run(id);
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

function soleOwnerWithOthers(stmt: Stmt, id: string, m: Membership): boolean {
  if (m.role !== "owner" || m.member_count <= 1) return false;
  const owners = stmt(
    "SELECT count(*) AS n FROM conversation_members WHERE conversation_id = ? AND role = 'owner'",
  ).get(id) as { n: number };
  return owners.n === 1;
}

/** Member operations of the SQLite chat store. */
export function memberOps(db: Db, stmt: Stmt): MemberOps {
  const events = sqliteEvents(db).writer;
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
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const next =
        rows.length > limit && last ? { joined_at: last.joined_at, agent_id: last.agent_id } : null;
      return { ok: true, value: { rows: page.map(toMember), next } };
    },

    async addMember(caller, id, agent, role, now) {
      return db.write((): Outcome<MemberRecord> => {
        const m = groupMembership(stmt, caller, id);
        if (!m.ok) return m;
        if (!mayAddMember(m.value.role, role)) return { ok: false, code: "forbidden" };
        const state = agentState(stmt, agent);
        const refused = addableAgentRefusal(state);
        if (refused !== undefined) return refused;
        if (memberOf(stmt, id, agent) !== undefined) return { ok: false, code: "already_member" };
        const bannedHere =
          stmt(
            "SELECT 1 FROM blocks WHERE blocker_id = ? AND type = 'conversation' AND target_id = ?",
          ).get(agent, id) !== undefined;
        if (bannedHere || agentsBlockEitherWay(stmt, caller, agent)) {
          return { ok: false, code: "blocked" };
        }
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
      });
    },

    async updateMember(caller, id, agent, role) {
      return db.write((): Outcome<MemberRecord> => {
        const m = groupMembership(stmt, caller, id);
        if (!m.ok) return m;
        const target = memberOf(stmt, id, agent);
        if (target === undefined) return { ok: false, code: "not_a_member" };
        const mine = ROLE_RANK[m.value.role];
        if (agent === caller) {
          if (ROLE_RANK[role] > mine) return { ok: false, code: "forbidden" };
          if (role !== "owner" && soleOwnerWithOthers(stmt, id, m.value)) {
            return { ok: false, code: "last_owner" };
          }
        } else if (!maySetOthersRole(m.value.role, target.role, role)) {
          return { ok: false, code: "forbidden" };
        }
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
      });
    },

    async removeMember(caller, id, agent, now) {
      return db.write((): Outcome<null> => {
        const m = groupMembership(stmt, caller, id);
        if (!m.ok) return m;
        const target = memberOf(stmt, id, agent);
        if (target === undefined) return { ok: false, code: "not_a_member" };
        if (!mayRemoveMember(m.value.role, target.role)) return { ok: false, code: "forbidden" };
        stmt("DELETE FROM conversation_members WHERE conversation_id = ? AND agent_id = ?").run(
          id,
          agent,
        );
        stmt("UPDATE conversations SET member_count = member_count - 1 WHERE id = ?").run(id);
        events.toMembers({
          type: "member.removed",
          conversationId: id,
          data: toMember(target),
          now,
          also: agent,
        });
        return { ok: true, value: null };
      });
    },

    async leave(caller, id, now) {
      return db.write((): Outcome<null> => {
        const m = groupMembership(stmt, caller, id);
        if (!m.ok) return m;
        return leaveGroup(db, stmt, caller, id, m.value, now);
      });
    },
  };
}
