import type { BlocksHandlers } from "../../generated/routes.js";
import { callerOf } from "../../platform/auth/middleware.js";
import type { AppDeps } from "../../platform/env.js";
import { validationError } from "../../platform/errors.js";
import { unwrap } from "../../platform/outcome.js";
import { decodeKey, pageOf } from "../../platform/pagination.js";
import type { BlockKey } from "./records.js";

/** The Blocks handlers: block and unblock agents and conversations, list blocks. */
export function blocksHandlers(deps: AppDeps): BlocksHandlers {
  const { store, clock, ids, guard, cursors } = deps;
  const read = guard.agent("access", "read");
  const write = guard.agent("access", "write");

  return {
    blockAgent: {
      middleware: write,
      handler: async (c) => {
        const { agent_id } = c.req.valid("param");
        const me = callerOf(c).agentId;
        if (agent_id === me) throw validationError("path.agent_id", "You cannot block yourself.");
        const made = unwrap(
          await store.blocks.blockAgent(me, agent_id, ids.next("blk"), clock.now()),
        );
        return c.json(made.block, made.created ? 201 : 200);
      },
    },
    unblockAgent: {
      middleware: write,
      handler: async (c) => {
        await store.blocks.unblockAgent(callerOf(c).agentId, c.req.valid("param").agent_id);
        return c.body(null, 204);
      },
    },
    blockConversation: {
      middleware: write,
      handler: async (c) => {
        const { conversation_id } = c.req.valid("param");
        const me = callerOf(c).agentId;
        const made = unwrap(
          await store.blocks.blockConversation(me, conversation_id, ids.next("blk"), clock.now()),
        );
        return c.json(made.block, made.created ? 201 : 200);
      },
    },
    unblockConversation: {
      middleware: write,
      handler: async (c) => {
        const { conversation_id } = c.req.valid("param");
        await store.blocks.unblockConversation(callerOf(c).agentId, conversation_id);
        return c.body(null, 204);
      },
    },
    listBlocks: {
      middleware: read,
      handler: async (c) => {
        const { type, limit, cursor } = c.req.valid("query");
        const scope = `blocks:${type ?? ""}`;
        const after =
          cursor === undefined
            ? null
            : decodeKey<BlockKey>(cursors.decode(scope, cursor), ["created_at", "id"]);
        const page = await store.blocks.listBlocks(callerOf(c).agentId, type ?? null, after, limit);
        return c.json(
          pageOf(page, (k) => cursors.encode(scope, JSON.stringify(k))),
          200,
        );
      },
    },
  } satisfies BlocksHandlers;
}
