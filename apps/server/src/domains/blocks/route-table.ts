import type { RouteConfig } from "@hono/zod-openapi";
import type { DomainTable } from "../../generated/operations.js";
import {
  blockAgentRoute,
  blockConversationRoute,
  listBlocksRoute,
  unblockAgentRoute,
  unblockConversationRoute,
} from "./routes.js";

/** Every operation of the Blocks tag and its route: a missing one does not compile. */
export const blocksRoutes = {
  blockAgent: blockAgentRoute,
  unblockAgent: unblockAgentRoute,
  blockConversation: blockConversationRoute,
  unblockConversation: unblockConversationRoute,
  listBlocks: listBlocksRoute,
} satisfies DomainTable<"blocks", RouteConfig>;
