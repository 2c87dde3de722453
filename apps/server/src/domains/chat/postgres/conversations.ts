import type { PgDatabase, Query } from "../../../storage/postgres/database.js";
import { keysetPage } from "../../../storage/shared/keyset.js";
import { type PgEventWriter, pgEvents } from "../../events/postgres-store.js";
import {
  type AgentState,
  conversationEditRefusal,
  directPair,
  groupMembers,
  openDirectRefusal,
  otherMembers,
} from "../rules.js";
import type { ConversationOps } from "../store-slices.js";
import {
  agentState,
  agentsBlockEitherWay,
  CONVERSATION_SELECT,
  type ConversationRow,
  conversationView,
  lockConversation,
  viewOf,
} from "./sql.js";

/**
 * Writes `type` to each of `agents` with the conversation as that agent sees it. Views are read
 * first, events written last (the writer's position lock must be the transaction's last lock).
 */
async function conversationEvents(
  q: Query,
  events: PgEventWriter,
  type: "conversation.created" | "conversation.updated",
  id: string,
  agents: string[],
  now: number,
): Promise<void> {
  const views = [];
  for (const agent of agents) views.push({ agent, data: await viewOf(q, agent, id) });
  for (const { agent, data } of views) {
    if (data !== undefined) await events.toAgent(q, agent, { type, conversationId: id, data, now });
  }
}

/** Conversation operations of the PostgreSQL chat store. */
export function conversationOps(db: PgDatabase): ConversationOps {
  const events = pgEvents(db).writer;
  return {
    async openDirect(caller, other, id, now) {
      return db.tx(async (q) => {
        const state = await agentState(q, other);
        const refused = openDirectRefusal(
          state,
          state === "active" && (await agentsBlockEitherWay(q, caller, other)),
        );
        if (refused) return refused;
        const [low, high] = directPair(caller, other);
        // Never check-then-insert: the unique pair decides. A concurrent opener on another
        // instance waits for our commit and then does nothing (and reads our row).
        const inserted = await q(
          `INSERT INTO conversations (id, type, created_by, direct_low, direct_high, member_count,
             activity_at, created_at, updated_at)
           VALUES (@id, 'direct', @caller, @low, @high, 2, @now, @now, @now)
           ON CONFLICT DO NOTHING RETURNING 1`,
          { id, caller, low, high, now },
        );
        const created = inserted.length === 1;
        const [conv] = await q<{ id: string }>(
          "SELECT id FROM conversations WHERE direct_low = @low AND direct_high = @high",
          { low, high },
        );
        if (conv === undefined) throw new Error("direct conversation vanished");
        if (created) {
          await q(
            `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
             VALUES ($1, $2, 'member', $4), ($1, $3, 'member', $4)`,
            [id, low, high, now],
          );
        } else {
          // A block of the existing conversation by either member refuses the open (the spec's
          // rule since e87fe2c), so both sides get the same answer.
          const blocked = await q(
            `SELECT 1 FROM blocks WHERE type = 'conversation' AND target_id = $1
             AND blocker_id IN ($2, $3) LIMIT 1`,
            [conv.id, low, high],
          );
          if (blocked.length > 0) return { ok: false, code: "blocked" } as const;
        }
        const view = await viewOf(q, caller, conv.id);
        if (view === undefined) throw new Error("direct conversation without its member");
        if (created) {
          await conversationEvents(q, events, "conversation.created", id, [low, high], now);
        }
        return { ok: true, value: { conversation: view, created } } as const;
      });
    },

    async createGroup(caller, input, now) {
      return db.tx(async (q) => {
        // The rules decide on facts read first: each listed agent's state and blocks.
        const others = otherMembers(caller, input.member_ids);
        const states = new Map<string, AgentState>();
        const blocked = new Set<string>();
        for (const m of others) {
          states.set(m, await agentState(q, m));
          if (await agentsBlockEitherWay(q, caller, m)) blocked.add(m);
        }
        const plan = groupMembers(
          caller,
          input.member_ids,
          (m) => states.get(m) ?? "missing",
          (m) => blocked.has(m),
        );
        if (!plan.ok) return plan;
        const { members, skipped } = plan.value;
        await q(
          `INSERT INTO conversations (id, type, title, description, created_by, member_count,
             activity_at, created_at, updated_at)
           VALUES (@id, 'group', @title, @description, @caller, @count, @now, @now, @now)`,
          {
            id: input.id,
            title: input.title,
            description: input.description,
            caller,
            count: members.length + 1,
            now,
          },
        );
        await q(
          `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
           SELECT $1, a, CASE WHEN a = $2 THEN 'owner' ELSE 'member' END, $3
           FROM unnest($4::text[]) AS a`,
          [input.id, caller, now, [caller, ...members]],
        );
        const view = await viewOf(q, caller, input.id);
        if (view === undefined) throw new Error("group without its owner");
        const everyone = [caller, ...members];
        await conversationEvents(q, events, "conversation.created", input.id, everyone, now);
        return { ok: true, value: { conversation: view, skipped } } as const;
      });
    },

    async listConversations(caller, after, limit) {
      return db.read(async (q) => {
        const rows = await q<ConversationRow>(
          `${CONVERSATION_SELECT}
           AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = @caller
                           AND b.type = 'conversation' AND b.target_id = c.id)
           AND (@after_at::bigint IS NULL OR (c.activity_at, c.id) < (@after_at, @after_id::text))
           ORDER BY c.activity_at DESC, c.id DESC LIMIT @limit`,
          {
            caller,
            after_at: after?.activity_at ?? null,
            after_id: after?.id ?? null,
            limit: limit + 1,
          },
        );
        const key = (r: ConversationRow) => ({ activity_at: r.activity_at, id: r.id });
        return keysetPage(rows, limit, conversationView, key);
      });
    },

    async getConversation(caller, id) {
      return (await db.read((q) => viewOf(q, caller, id))) ?? null;
    },

    async updateConversation(caller, id, patch, now) {
      return db.tx(async (q) => {
        await lockConversation(q, id);
        const refused = conversationEditRefusal(await viewOf(q, caller, id));
        if (refused !== undefined) return refused;
        await q(
          `UPDATE conversations SET title = coalesce(@title::text, title),
             description = CASE WHEN @set_desc THEN @description::text ELSE description END,
             updated_at = @now WHERE id = @id`,
          {
            id,
            now,
            title: patch.title ?? null,
            set_desc: patch.description !== undefined,
            description: patch.description ?? null,
          },
        );
        const after = await viewOf(q, caller, id);
        if (after === undefined) throw new Error("conversation vanished in its own transaction");
        const audience = await events.audience(q, id);
        await conversationEvents(q, events, "conversation.updated", id, audience, now);
        return { ok: true, value: after } as const;
      });
    },
  };
}
