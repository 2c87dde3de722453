import { keysetPage } from "../../storage/shared/keyset.js";
import { agentState } from "../chat/sqlite/conversations.js";
import { conversationListCache } from "../chat/sqlite/list-cache.js";
import { groupMembership, leaveGroup } from "../chat/sqlite/members.js";
import type { Db, Stmt } from "../chat/sqlite/sql.js";
import type { BlockRecord } from "./records.js";
import { type BlockRow, toBlock } from "./rows.js";
import { agentBlockRefusal, conversationBlockStep, type Made, standingBlock } from "./rules.js";
import type { BlocksStore } from "./store.js";

function existing(stmt: Stmt, caller: string, type: string, target: string) {
  const row = stmt(
    `SELECT id, type, target_id, created_at FROM blocks
     WHERE blocker_id = ? AND type = ? AND target_id = ?`,
  ).get(caller, type, target) as BlockRow | undefined;
  return row === undefined ? undefined : toBlock(row);
}

/**
 * Inserts a block, settling a concurrent duplicate through the unique constraint rather than a
 * prior check: whichever insert loses reads the winner's row and reports `created: false`.
 */
function insertBlock(
  stmt: Stmt,
  caller: string,
  type: BlockRecord["type"],
  target: string,
  id: string,
  now: number,
): { block: BlockRecord; created: boolean } {
  const res = stmt(
    `INSERT INTO blocks (id, blocker_id, type, target_id, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
  ).run(id, caller, type, target, now);
  const block = existing(stmt, caller, type, target);
  if (block === undefined) throw new Error("block vanished in its own transaction");
  return { block, created: res.changes === 1 };
}

/** Builds the SQLite blocks store on an open connection (the `blocks` table is the platform's). */
export function createSqliteBlocksStore(db: Db): BlocksStore {
  const stmt: Stmt = (sql) => db.stmt(sql);
  /** Blocks change the blocker's list (hidden rows, unread counts, last visible messages). */
  const lists = conversationListCache(db);
  return {
    async blockAgent(caller, agent, id, now) {
      return db.write(() =>
        lists.tracked((): Made => {
          lists.touchPages(caller);
          const prior = existing(stmt, caller, "agent", agent);
          const done = standingBlock(prior) ?? agentBlockRefusal(agentState(stmt, agent));
          if (done) return done;
          return { ok: true, value: insertBlock(stmt, caller, "agent", agent, id, now) };
        }),
      );
    },

    async unblockAgent(caller, agent) {
      db.write(() =>
        lists.tracked(() => {
          lists.touchPages(caller);
          stmt("DELETE FROM blocks WHERE blocker_id = ? AND type = 'agent' AND target_id = ?").run(
            caller,
            agent,
          );
        }),
      );
    },

    async blockConversation(caller, conversation, id, now) {
      return db.write(() =>
        lists.tracked((): Made => {
          lists.touchAgent(caller);
          lists.touchMembers(conversation);
          const standing = standingBlock(existing(stmt, caller, "conversation", conversation));
          if (standing) return standing;
          const m = groupMembership(stmt, caller, conversation);
          const step = conversationBlockStep(m);
          if (typeof step === "object") return step;
          if (step === "leave" && m.ok) {
            const left = leaveGroup(db, stmt, caller, conversation, m.value, now);
            if (!left.ok) return left;
          }
          return {
            ok: true,
            value: insertBlock(stmt, caller, "conversation", conversation, id, now),
          };
        }),
      );
    },

    async unblockConversation(caller, conversation) {
      db.write(() =>
        lists.tracked(() => {
          lists.touchAgent(caller);
          stmt(
            "DELETE FROM blocks WHERE blocker_id = ? AND type = 'conversation' AND target_id = ?",
          ).run(caller, conversation);
        }),
      );
    },

    async listBlocks(caller, type, after, limit) {
      const rows = stmt(
        `SELECT id, type, target_id, created_at FROM blocks
         WHERE blocker_id = @caller AND (@type IS NULL OR type = @type)
           AND (@after_at IS NULL OR (created_at, id) < (@after_at, @after_id))
         ORDER BY created_at DESC, id DESC LIMIT @limit`,
      ).all({
        caller,
        type,
        after_at: after?.created_at ?? null,
        after_id: after?.id ?? null,
        limit: limit + 1,
      }) as BlockRow[];
      const key = (r: BlockRow) => ({ created_at: r.created_at, id: r.id });
      return keysetPage(rows, limit, toBlock, key);
    },
  };
}
