import type { PgDatabase, Query } from "../../../storage/postgres/database.js";
import { keysetPage } from "../../../storage/shared/keyset.js";
import { pgEvents } from "../../events/postgres-store.js";
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
import { agentState, agentsBlockEitherWay, lockConversation, viewOf } from "./sql.js";

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
  return membershipRule(row);
}

async function memberOf(q: Query, id: string, agent: string): Promise<MemberRow | undefined> {
  const [row] = await q<MemberRow>(
    `SELECT agent_id, role, joined_at FROM conversation_members
     WHERE conversation_id = $1 AND agent_id = $2`,
    [id, agent],
  );
  return row;
}

/** {@link soleOwnerWithOthers}, counting the owners only when it matters. */
async function soleOwner(q: Query, id: string, m: Membership): Promise<boolean> {
  if (!ownerCountMatters(m)) return false;
  const [owners] = await q<{ n: number }>(
    "SELECT count(*) AS n FROM conversation_members WHERE conversation_id = $1 AND role = 'owner'",
    [id],
  );
  return soleOwnerWithOthers(m, owners?.n);
}

/** Deletes a membership and keeps the conversation's member count. */
async function deleteMember(q: Query, id: string, agent: string): Promise<void> {
  await q("DELETE FROM conversation_members WHERE conversation_id = $1 AND agent_id = $2", [
    id,
    agent,
  ]);
  await q("UPDATE conversations SET member_count = member_count - 1 WHERE id = $1", [id]);
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
  const refused = leaveRefusal(await soleOwner(q, id, m));
  if (refused) return refused;
  const me = await memberOf(q, id, caller);
  await deleteMember(q, id, caller);
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
        const key = (r: MemberRow) => ({ joined_at: r.joined_at, agent_id: r.agent_id });
        return { ok: true, value: keysetPage(rows, limit, toMember, key) };
      });
    },

    async addMember(caller, id, agent, role, now) {
      return db.tx(async (q): Promise<Outcome<MemberRecord>> => {
        const m = await groupMembership(q, caller, id, true);
        if (!m.ok) return m;
        const banned = await q(
          "SELECT 1 FROM blocks WHERE blocker_id = $1 AND type = 'conversation' AND target_id = $2",
          [agent, id],
        );
        const refused = addMemberRefusal({
          mine: m.value.role,
          role,
          agent: await agentState(q, agent),
          alreadyMember: (await memberOf(q, id, agent)) !== undefined,
          blocked: banned.length > 0 || (await agentsBlockEitherWay(q, caller, agent)),
        });
        if (refused) return refused;
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
        const self = agent === caller;
        const refused = roleChangeRefusal({
          self,
          mine: m.value,
          theirs: target?.role,
          role,
          soleOwnerWithOthers: self && (await soleOwner(q, id, m.value)),
        });
        if (refused || target === undefined) return refused ?? NOT_A_MEMBER;
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
        const refused = removeMemberRefusal(m.value.role, target?.role);
        if (refused || target === undefined) return refused ?? NOT_A_MEMBER;
        await deleteMember(q, id, agent);
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
