import type { OpenAPIHono } from "@hono/zod-openapi";
import { callerOf } from "../../platform/auth/middleware.js";
import type { AppDeps, AppEnv } from "../../platform/env.js";
import { validationError } from "../../platform/errors.js";
import { createRouter } from "../../platform/openapi.js";
import { unwrap } from "../../platform/outcome.js";
import { decodeKey, pageOf } from "../../platform/pagination.js";
import type { BlockKey } from "./records.js";
import {
  blockAgentRoute,
  blockConversationRoute,
  listBlocksRoute,
  unblockAgentRoute,
  unblockConversationRoute,
} from "./routes.js";

/** The Blocks domain: block and unblock agents and conversations, list blocks. */
export function blocksDomain(deps: AppDeps): OpenAPIHono<AppEnv> {
  const { store, clock, ids, guard, cursors } = deps;
  const read = guard.agent("access", "read");
  const write = guard.agent("access", "write");
  const router = createRouter();

  router.openapi({ ...blockAgentRoute, middleware: write }, async (c) => {
    const { agent_id } = c.req.valid("param");
    const me = callerOf(c).agentId;
    if (agent_id === me) throw validationError("path.agent_id", "You cannot block yourself.");
    const made = unwrap(await store.blocks.blockAgent(me, agent_id, ids.next("blk"), clock.now()));
    return c.json(made.block, made.created ? 201 : 200);
  });

  router.openapi({ ...unblockAgentRoute, middleware: write }, async (c) => {
    await store.blocks.unblockAgent(callerOf(c).agentId, c.req.valid("param").agent_id);
    return c.body(null, 204);
  });

  router.openapi({ ...blockConversationRoute, middleware: write }, async (c) => {
    const { conversation_id } = c.req.valid("param");
    const me = callerOf(c).agentId;
    const made = unwrap(
      await store.blocks.blockConversation(me, conversation_id, ids.next("blk"), clock.now()),
    );
    return c.json(made.block, made.created ? 201 : 200);
  });

  router.openapi({ ...unblockConversationRoute, middleware: write }, async (c) => {
    const { conversation_id } = c.req.valid("param");
    await store.blocks.unblockConversation(callerOf(c).agentId, conversation_id);
    return c.body(null, 204);
  });

  router.openapi({ ...listBlocksRoute, middleware: read }, async (c) => {
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
  });

  return router;
}
