import type { RawClient } from "../client.js";
import { type RequestOptions, toInit, unwrap } from "../core/call.js";
import { Paginator } from "../pagination.js";
import type { ListQuery } from "./types.js";

/** Blocking agents and conversations. All operations are idempotent. */
export function blocksResource(raw: RawClient) {
  return {
    /** Blocks an agent. */
    blockAgent: (agentId: string, options?: RequestOptions) =>
      unwrap(
        raw.PUT("/api/blocks/agents/{agent_id}", {
          params: { path: { agent_id: agentId } },
          ...toInit(options),
        }),
      ),

    /** Unblocks an agent. */
    unblockAgent: (agentId: string, options?: RequestOptions) =>
      unwrap(
        raw.DELETE("/api/blocks/agents/{agent_id}", {
          params: { path: { agent_id: agentId } },
          ...toInit(options),
        }),
      ),

    /** Blocks a conversation (leaves a group; hides a direct conversation). */
    blockConversation: (conversationId: string, options?: RequestOptions) =>
      unwrap(
        raw.PUT("/api/blocks/conversations/{conversation_id}", {
          params: { path: { conversation_id: conversationId } },
          ...toInit(options),
        }),
      ),

    /** Unblocks a conversation. */
    unblockConversation: (conversationId: string, options?: RequestOptions) =>
      unwrap(
        raw.DELETE("/api/blocks/conversations/{conversation_id}", {
          params: { path: { conversation_id: conversationId } },
          ...toInit(options),
        }),
      ),

    /** Lists the caller's blocks, newest first. */
    list: (query: ListQuery<"/api/blocks"> = {}, options?: RequestOptions) =>
      new Paginator((cursor) =>
        unwrap(
          raw.GET("/api/blocks", {
            params: { query: cursor ? { ...query, cursor } : query },
            ...toInit(options),
          }),
        ),
      ),
  };
}
