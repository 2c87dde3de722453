import { type SqliteEventWriter, sqliteEvents } from "../../events/sqlite-store.js";
import { LastMessages } from "../last-messages.js";
import { type MessageRow, toConversationRecord, toMessage } from "../rows.js";
import {
  type AgentState,
  conversationEditRefusal,
  directPair,
  groupMembers,
  openDirectRefusal,
} from "../rules.js";
import type { ConversationRecord } from "../store.js";
import type { ConversationOps } from "../store-slices.js";
import { conversationListCache } from "./list-cache.js";
import {
  agentsBlockEitherWay,
  BLOCKED_AGENTS_SQL,
  CONVERSATION_LIST_SQL,
  CONVERSATION_SELECT,
  type ConversationListRow,
  type ConversationRow,
  conversationView,
  type Db,
  LAST_VISIBLE_MESSAGE_SQL,
  NEWEST_MESSAGE_SQL,
  type Stmt,
} from "./sql.js";

/** Every conversation an agent is a member of (what can change its list). */
const MEMBER_CONVERSATIONS_SQL =
  "SELECT conversation_id FROM conversation_members WHERE agent_id = ?";

/** Whether an agent exists and is active. */
export function agentState(stmt: Stmt, id: string): AgentState {
  const row = stmt("SELECT deactivated_at FROM agents WHERE id = ?").get(id) as
    | { deactivated_at: string | null }
    | undefined;
  if (row === undefined) return "missing";
  return row.deactivated_at === null ? "active" : "inactive";
}

/** The caller's view of one conversation, or undefined when the caller is not a member. */
export function viewOf(stmt: Stmt, caller: string, id: string): ConversationRecord | undefined {
  const row = stmt(`${CONVERSATION_SELECT} AND c.id = @id`).get({ caller, id }) as
    | ConversationRow
    | undefined;
  return row === undefined ? undefined : conversationView(stmt, row, caller);
}

/** Writes `type` to each of `agents` with the conversation as that agent sees it. */
function conversationEvents(
  stmt: Stmt,
  events: SqliteEventWriter,
  type: "conversation.created" | "conversation.updated",
  id: string,
  agents: string[],
  now: number,
): void {
  for (const agent of agents) {
    const data = viewOf(stmt, agent, id);
    if (data !== undefined) events.toAgent(agent, { type, conversationId: id, data, now });
  }
}

/** Conversation operations of the SQLite chat store. */
export function conversationOps(db: Db, stmt: Stmt): ConversationOps {
  const events = sqliteEvents(db).writer;
  const lastMessages = new LastMessages();
  const lists = conversationListCache(db);
  return {
    async openDirect(caller, other, id, now) {
      return db.write(() =>
        lists.tracked(() => {
          const state = agentState(stmt, other);
          const refused = openDirectRefusal(
            state,
            state === "active" && agentsBlockEitherWay(stmt, caller, other),
          );
          if (refused) return refused;
          const [low, high] = directPair(caller, other);
          const inserted = stmt(
            `INSERT INTO conversations (id, type, created_by, direct_low, direct_high, member_count,
             activity_at, created_at, updated_at)
           VALUES (@id, 'direct', @caller, @low, @high, 2, @now, @now, @now)
           ON CONFLICT DO NOTHING`,
          ).run({ id, caller, low, high, now });
          const created = inserted.changes === 1;
          const conv = stmt(
            "SELECT id FROM conversations WHERE direct_low = @low AND direct_high = @high",
          ).get({ low, high }) as { id: string };
          if (created) {
            lists.touchAgent(low);
            lists.touchAgent(high);
            const add = stmt(
              `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
             VALUES (?, ?, 'member', ?)`,
            );
            add.run(id, low, now);
            add.run(id, high, now);
          } else if (
            // A block of the existing conversation by either member refuses the open, so the
            // answer is the same from both sides and never says who blocked (the spec's rule).
            stmt(
              `SELECT 1 FROM blocks WHERE type = 'conversation' AND target_id = ?
             AND blocker_id IN (?, ?) LIMIT 1`,
            ).get(conv.id, low, high) !== undefined
          ) {
            return { ok: false, code: "blocked" } as const;
          }
          const view = viewOf(stmt, caller, conv.id);
          if (view === undefined) throw new Error("direct conversation without its member");
          if (created)
            conversationEvents(stmt, events, "conversation.created", id, [low, high], now);
          return { ok: true, value: { conversation: view, created } } as const;
        }),
      );
    },

    async createGroup(caller, input, now) {
      return db.write(() =>
        lists.tracked(() => {
          const plan = groupMembers(
            caller,
            input.member_ids,
            (m) => agentState(stmt, m),
            (m) => agentsBlockEitherWay(stmt, caller, m),
          );
          if (!plan.ok) return plan;
          const { members, skipped } = plan.value;
          stmt(
            `INSERT INTO conversations (id, type, title, description, created_by, member_count,
             activity_at, created_at, updated_at)
           VALUES (@id, 'group', @title, @description, @caller, @count, @now, @now, @now)`,
          ).run({
            id: input.id,
            title: input.title,
            description: input.description,
            caller,
            count: members.length + 1,
            now,
          });
          const add = stmt(
            `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
           VALUES (?, ?, ?, ?)`,
          );
          add.run(input.id, caller, "owner", now);
          for (const m of members) add.run(input.id, m, "member", now);
          const everyone = [caller, ...members];
          for (const agent of everyone) lists.touchAgent(agent);
          conversationEvents(stmt, events, "conversation.created", input.id, everyone, now);
          const view = viewOf(stmt, caller, input.id);
          if (view === undefined) throw new Error("group without its owner");
          return { ok: true, value: { conversation: view, skipped } } as const;
        }),
      );
    },

    async listConversations(caller, after, limit) {
      const key = after === null ? `${limit}` : `${limit}\n${after.activity_at}\n${after.id}`;
      const cached = lists.get(caller, key);
      if (cached !== undefined) return cached;
      const rows = stmt(CONVERSATION_LIST_SQL).all({
        caller,
        after_at: after?.activity_at ?? null,
        after_id: after?.id ?? null,
        limit: limit + 1,
      }) as ConversationListRow[];
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const blocked =
        page.length === 0
          ? []
          : (stmt(BLOCKED_AGENTS_SQL).all({ caller }) as { target_id: string }[]);
      const hidden = blocked.length === 0 ? null : new Set(blocked.map((b) => b.target_id));
      /** The newest message the caller sees: {@link LAST_VISIBLE_MESSAGE_SQL}'s answer. */
      const lastMessageOf = (row: ConversationListRow) => {
        let newest = lastMessages.get(row.id, row.messages_version);
        if (newest === undefined) {
          const found = stmt(NEWEST_MESSAGE_SQL).get({ id: row.id }) as MessageRow | undefined;
          newest = found === undefined ? null : toMessage(found);
          lastMessages.set(row.id, row.messages_version, newest);
        }
        if (newest === null || hidden === null || !hidden.has(newest.author_id)) return newest;
        const visible = stmt(LAST_VISIBLE_MESSAGE_SQL).get({ id: row.id, caller }) as
          | MessageRow
          | undefined;
        return visible === undefined ? null : toMessage(visible);
      };
      const result = {
        rows: page.map((row) => toConversationRecord(row, lastMessageOf(row), row.unread_count)),
        next: rows.length > limit && last ? { activity_at: last.activity_at, id: last.id } : null,
      };
      lists.set(
        caller,
        key,
        result,
        () => stmt(MEMBER_CONVERSATIONS_SQL).pluck().all(caller) as string[],
      );
      return result;
    },

    async getConversation(caller, id) {
      return viewOf(stmt, caller, id) ?? null;
    },

    async updateConversation(caller, id, patch, now) {
      return db.write(() =>
        lists.tracked(() => {
          const refused = conversationEditRefusal(viewOf(stmt, caller, id));
          if (refused !== undefined) return refused;
          stmt(
            `UPDATE conversations SET title = coalesce(@title, title),
             description = CASE WHEN @set_desc THEN @description ELSE description END,
             updated_at = @now WHERE id = @id`,
          ).run({
            id,
            now,
            title: patch.title ?? null,
            set_desc: patch.description === undefined ? 0 : 1,
            description: patch.description ?? null,
          });
          lists.touchConversation(id);
          const after = viewOf(stmt, caller, id);
          if (after === undefined) throw new Error("conversation vanished in its own transaction");
          const audience = events.audience(id);
          conversationEvents(stmt, events, "conversation.updated", id, audience, now);
          return { ok: true, value: after } as const;
        }),
      );
    },
  };
}
