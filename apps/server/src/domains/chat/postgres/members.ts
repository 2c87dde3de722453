import type { MemberRecord, Outcome } from "../../domains/chat/store.js";
import { ROLE_RANK } from "../../domains/chat/store.js";
import { pgEvents } from "../../domains/events/postgres-store.js";
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
import { agentState, agentsBlockEitherWay, lockConversation, viewOf } from "./chat-sql.js";
import type { PgDatabase, Query } from "./database.js";

/**
 * The caller's membership in a conversation, or a refusal (404 / 422 for direct). With `lock`,
 * the conversation row is locked first so concurrent member changes run one at a time.
 */
export async function groupMembership(
  q: Query,
  caller: string,
  id: string,
  lock: boolean,
): Promise<Outcome<Membership>> {
  if (lock) await lockConversation(q, id);
  const [row] = await q<Membership>(
    `SELECT c.type, c.member_count, m.role FROM conversation_members m
     JOIN conversations c ON c.id = m.conversation_id
     WHERE m.conversation_id = $1 AND m.agent_id = $2`,
    [id, caller],
  );
  if (row === undefined) return { ok: false, code: "not_found" };
  if (row.type === "direct") return DIRECT_REFUSED;
  return { ok: true, value: row };
}

async function memberOf(q: Query, id: string, agent: string): Promise<MemberRow | undefined> {
  const [row] = await q<MemberRow>(
    `SELECT agent_id, role, joined_at FROM conversation_members
     WHERE conversation_id = $1 AND agent_id = $2`,
    [id, agent],
  );
  return row;
}

async function soleOwnerWithOthers(q: Query, id: string, m: Membership): Promise<boolean> {
  if (m.role !== "owner" || m.member_count <= 1) return false;
  const [owners] = await q<{ n: number }>(
    "SELECT count(*) AS n FROM conversation_members WHERE conversation_id = $1 AND role = 'owner'",
    [id],
  );
  return owners?.n === 1;
}

/**
 * Removes the caller from a group inside the current transaction (conversation row locked).
 * The sole owner cannot leave while others remain (last_owner).
 */
export async function leaveGroup(
  db: PgDatabase,
  q: Query,
  caller: string,
  id: string,
  m: Membership,
  now: number,
): Promise<Outcome<null>> {
  if (await soleOwnerWithOthers(q, id, m)) return { ok: false, code: "last_owner" };
  const me = await memberOf(q, id, caller);
  await q("DELETE FROM conversation_members WHERE conversation_id = $1 AND agent_id = $2", [
    id,
    caller,
  ]);
  await q("UPDATE conversations SET member_count = member_count - 1 WHERE id = $1", [id]);
  if (me !== undefined) {
    await pgEvents(db).writer.toMembers(q, {
      type: "member.removed",
      conversationId: id,
      data: toMember(me),
      now,
      also: caller,
    });
  }
  return { ok: true, value: null };
}

/** Member operations of the PostgreSQL chat store. */
export function memberOps(db: PgDatabase): MemberOps {
  const events = pgEvents(db).writer;
  return {
    async listMembers(caller, id, after, limit) {
      return db.read(async (q) => {
        const m = await groupMembership(q, caller, id, false);
        if (!m.ok) return m;
        const rows = await q<MemberRow>(
          `SELECT agent_id, role, joined_at FROM conversation_members
           WHERE conversation_id = @id
             AND (@after_at::bigint IS NULL OR (joined_at, agent_id) > (@after_at, @after_id::text))
           ORDER BY joined_at, agent_id LIMIT @limit`,
          {
            id,
            after_at: after?.joined_at ?? null,
            after_id: after?.agent_id ?? null,
            limit: limit + 1,
          },
        );
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        const next =
          rows.length > limit && last
            ? { joined_at: last.joined_at, agent_id: last.agent_id }
            : null;
        return { ok: true, value: { rows: page.map(toMember), next } };
      });
    },

    async addMember(caller, id, agent, role, now) {
      return db.tx(async (q): Promise<Outcome<MemberRecord>> => {
        const m = await groupMembership(q, caller, id, true);
        if (!m.ok) return m;
        if (!mayAddMember(m.value.role, role)) return { ok: false, code: "forbidden" };
        const state = await agentState(q, agent);
        const refused = addableAgentRefusal(state);
        if (refused !== undefined) return refused;
        if ((await memberOf(q, id, agent)) !== undefined)
          return { ok: false, code: "already_member" };
        const banned = await q(
          "SELECT 1 FROM blocks WHERE blocker_id = $1 AND type = 'conversation' AND target_id = $2",
          [agent, id],
        );
        if (banned.length > 0 || (await agentsBlockEitherWay(q, caller, agent))) {
          return { ok: false, code: "blocked" };
        }
        await q(
          `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
           VALUES ($1, $2, $3, $4)`,
          [id, agent, role, now],
        );
        await q("UPDATE conversations SET member_count = member_count + 1 WHERE id = $1", [id]);
        const member = toMember({ agent_id: agent, role, joined_at: now });
        const view = await viewOf(q, agent, id);
        if (view !== undefined) {
          const draft = {
            type: "conversation.created",
            conversationId: id,
            data: view,
            now,
          } as const;
          await events.toAgent(q, agent, draft);
        }
        await events.toMembers(q, { type: "member.added", conversationId: id, data: member, now });
        return { ok: true, value: member };
      });
    },

    async updateMember(caller, id, agent, role) {
      return db.tx(async (q): Promise<Outcome<MemberRecord>> => {
        const m = await groupMembership(q, caller, id, true);
        if (!m.ok) return m;
        const target = await memberOf(q, id, agent);
        if (target === undefined) return { ok: false, code: "not_a_member" };
        const mine = ROLE_RANK[m.value.role];
        if (agent === caller) {
          if (ROLE_RANK[role] > mine) return { ok: false, code: "forbidden" };
          if (role !== "owner" && (await soleOwnerWithOthers(q, id, m.value))) {
            return { ok: false, code: "last_owner" };
          }
        } else if (!maySetOthersRole(m.value.role, target.role, role)) {
          return { ok: false, code: "forbidden" };
        }
        await q(
          "UPDATE conversation_members SET role = $1 WHERE conversation_id = $2 AND agent_id = $3",
          [role, id, agent],
        );
        const member = toMember({ ...target, role });
        const draft = { type: "member.updated", conversationId: id, data: member } as const;
        await events.toMembers(q, { ...draft, now: Date.now() });
        return { ok: true, value: member };
      });
    },

    async removeMember(caller, id, agent, now) {
      return db.tx(async (q): Promise<Outcome<null>> => {
        const m = await groupMembership(q, caller, id, true);
        if (!m.ok) return m;
        const target = await memberOf(q, id, agent);
        if (target === undefined) return { ok: false, code: "not_a_member" };
        if (!mayRemoveMember(m.value.role, target.role)) return { ok: false, code: "forbidden" };
        await q("DELETE FROM conversation_members WHERE conversation_id = $1 AND agent_id = $2", [
          id,
          agent,
        ]);
        await q("UPDATE conversations SET member_count = member_count - 1 WHERE id = $1", [id]);
        await events.toMembers(q, {
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
      return db.tx(async (q): Promise<Outcome<null>> => {
        const m = await groupMembership(q, caller, id, true);
        if (!m.ok) return m;
        return leaveGroup(db, q, caller, id, m.value, now);
      });
    },
  };
}
