import type { PgDatabase, Query } from "../../storage/postgres/database.js";
import { keysetPage } from "../../storage/shared/keyset.js";
import { groupMembership, leaveGroup } from "../chat/postgres/members.js";
import { agentState } from "../chat/postgres/sql.js";
import type { BlockRecord } from "./records.js";
import { type BlockRow, toBlock } from "./rows.js";
import { agentBlockRefusal, conversationBlockStep, type Made, standingBlock } from "./rules.js";
import type { BlocksStore } from "./store.js";

async function existing(q: Query, caller: string, type: string, target: string) {
  const [row] = await q<BlockRow>(
    `SELECT id, type, target_id, created_at FROM blocks
     WHERE blocker_id = $1 AND type = $2 AND target_id = $3`,
    [caller, type, target],
  );
  return row === undefined ? undefined : toBlock(row);
}

/**
 * Inserts a block; a concurrent duplicate (another instance) is settled by the unique
 * constraint: the loser waits for the winner's commit, then reads its row (`created: false`).
 */
async function insertBlock(
  q: Query,
  caller: string,
  type: BlockRecord["type"],
  target: string,
  id: string,
  now: number,
): Promise<{ block: BlockRecord; created: boolean }> {
  for (;;) {
    const res = await q(
      `INSERT INTO blocks (id, blocker_id, type, target_id, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [id, caller, type, target, now],
    );
    const block = await existing(q, caller, type, target);
    if (block !== undefined) return { block, created: res.length === 1 };
    // The row we yielded to was deleted (a concurrent unblock committed) before we read it: the
    // caller's block does not stand, so insert it again. Our own inserted row cannot vanish.
    if (res.length === 1) throw new Error("block vanished in its own transaction");
  }
}

/** Builds the PostgreSQL blocks store. */
export function createPgBlocksStore(db: PgDatabase): BlocksStore {
  return {
    async blockAgent(caller, agent, id, now) {
      return db.tx(async (q): Promise<Made> => {
        const prior = await existing(q, caller, "agent", agent);
        const done = standingBlock(prior) ?? agentBlockRefusal(await agentState(q, agent));
        if (done) return done;
        return { ok: true, value: await insertBlock(q, caller, "agent", agent, id, now) };
      });
    },

    async unblockAgent(caller, agent) {
      await db.query(
        "DELETE FROM blocks WHERE blocker_id = $1 AND type = 'agent' AND target_id = $2",
        [caller, agent],
      );
    },

    async blockConversation(caller, conversation, id, now) {
      return db.tx(async (q): Promise<Made> => {
        const standing = standingBlock(await existing(q, caller, "conversation", conversation));
        if (standing) return standing;
        const m = await groupMembership(q, caller, conversation, true);
        const step = conversationBlockStep(m);
        if (typeof step === "object") return step;
        if (step === "leave" && m.ok) {
          const left = await leaveGroup(db, q, caller, conversation, m.value, now);
          if (!left.ok) return left;
        }
        return {
          ok: true,
          value: await insertBlock(q, caller, "conversation", conversation, id, now),
        };
      });
    },

    async unblockConversation(caller, conversation) {
      await db.query(
        "DELETE FROM blocks WHERE blocker_id = $1 AND type = 'conversation' AND target_id = $2",
        [caller, conversation],
      );
    },

    async listBlocks(caller, type, after, limit) {
      const rows = await db.query<BlockRow>(
        `SELECT id, type, target_id, created_at FROM blocks
         WHERE blocker_id = @caller AND (@type::text IS NULL OR type = @type)
           AND (@after_at::bigint IS NULL OR (created_at, id) < (@after_at, @after_id::text))
         ORDER BY created_at DESC, id DESC LIMIT @limit`,
        {
          caller,
          type,
          after_at: after?.created_at ?? null,
          after_id: after?.id ?? null,
          limit: limit + 1,
        },
      );
      const key = (r: BlockRow) => ({ created_at: r.created_at, id: r.id });
      return keysetPage(rows, limit, toBlock, key);
    },
  };
}
