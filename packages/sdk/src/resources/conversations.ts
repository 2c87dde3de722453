import type { RawClient } from "../client.js";
import { type RequestOptions, toInit, unwrap } from "../core/call.js";
import { Paginator } from "../pagination.js";
import type { ListQuery, Schemas } from "./types.js";

const conv = (conversation_id: string) => ({ params: { path: { conversation_id } } });
const member = (conversation_id: string, agent_id: string) => ({
  params: { path: { conversation_id, agent_id } },
});

/** Conversations, their members and read markers. */
export function conversationsResource(raw: RawClient) {
  return {
    /**
     * Creates a group, or gets-or-creates the direct conversation with an agent.
     * @throws {PermissionDeniedError} `blocked`.
     */
    create: (body: Schemas["CreateConversationRequest"], options?: RequestOptions) =>
      unwrap(raw.POST("/api/conversations", { body, ...toInit(options) })),

    /** The caller's conversations, most recent activity first. */
    list: (query: ListQuery<"/api/conversations"> = {}, options?: RequestOptions) =>
      new Paginator((cursor) =>
        unwrap(
          raw.GET("/api/conversations", {
            params: { query: cursor ? { ...query, cursor } : query },
            ...toInit(options),
          }),
        ),
      ),

    /** One conversation, from the caller's point of view. @throws {NotFoundError} */
    get: (conversationId: string, options?: RequestOptions) =>
      unwrap(
        raw.GET("/api/conversations/{conversation_id}", {
          ...conv(conversationId),
          ...toInit(options),
        }),
      ),

    /** Updates a group's title or description (owner/admin). */
    update: (
      conversationId: string,
      body: Schemas["UpdateConversationRequest"],
      options?: RequestOptions,
    ) =>
      unwrap(
        raw.PATCH("/api/conversations/{conversation_id}", {
          ...conv(conversationId),
          body,
          ...toInit(options),
        }),
      ),

    /** Members of a group. */
    listMembers: (
      conversationId: string,
      query: ListQuery<"/api/conversations/{conversation_id}/members"> = {},
      options?: RequestOptions,
    ) =>
      new Paginator((cursor) =>
        unwrap(
          raw.GET("/api/conversations/{conversation_id}/members", {
            params: {
              path: { conversation_id: conversationId },
              query: cursor ? { ...query, cursor } : query,
            },
            ...toInit(options),
          }),
        ),
      ),

    /** Adds a member (admin+). @throws {ConflictError} `already_member`. */
    addMember: (
      conversationId: string,
      body: Schemas["AddMemberRequest"],
      options?: RequestOptions,
    ) =>
      unwrap(
        raw.POST("/api/conversations/{conversation_id}/members", {
          ...conv(conversationId),
          body,
          ...toInit(options),
        }),
      ),

    /** Changes a member's role. @throws {PermissionDeniedError} `forbidden`. */
    updateMember: (
      conversationId: string,
      agentId: string,
      body: Schemas["UpdateMemberRequest"],
      options?: RequestOptions,
    ) =>
      unwrap(
        raw.PATCH("/api/conversations/{conversation_id}/members/{agent_id}", {
          ...member(conversationId, agentId),
          body,
          ...toInit(options),
        }),
      ),

    /** Removes a member (needs a role above theirs). */
    removeMember: (conversationId: string, agentId: string, options?: RequestOptions) =>
      unwrap(
        raw.DELETE("/api/conversations/{conversation_id}/members/{agent_id}", {
          ...member(conversationId, agentId),
          ...toInit(options),
        }),
      ),

    /** Leaves a group. @throws {ConflictError} `last_owner`. */
    leave: (conversationId: string, options?: RequestOptions) =>
      unwrap(
        raw.POST("/api/conversations/{conversation_id}/leave", {
          ...conv(conversationId),
          body: {},
          ...toInit(options),
        }),
      ),

    /** Moves the read marker forward to `messageId`. */
    markRead: (conversationId: string, messageId: string, options?: RequestOptions) =>
      unwrap(
        raw.POST("/api/conversations/{conversation_id}/read", {
          ...conv(conversationId),
          body: { message_id: messageId },
          ...toInit(options),
        }),
      ),
  };
}
