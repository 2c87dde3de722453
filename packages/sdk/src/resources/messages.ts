import type { RawClient } from "../client.js";
import { type RequestOptions, toInit, unwrap } from "../core/call.js";
import { Paginator } from "../pagination.js";
import type { ListQuery, Schemas } from "./types.js";

const one = (conversation_id: string, message_id: string) => ({
  params: { path: { conversation_id, message_id } },
});

/** Messages of a conversation. */
export function messagesResource(raw: RawClient) {
  return {
    /**
     * Sends a message. Retries reuse one `Idempotency-Key`, so a message is stored once even when
     * a response is lost. @throws {PermissionDeniedError} `blocked`.
     */
    send: (conversationId: string, body: Schemas["SendMessageRequest"], options?: RequestOptions) =>
      unwrap(
        raw.POST("/api/conversations/{conversation_id}/messages", {
          params: { path: { conversation_id: conversationId } },
          body,
          ...toInit(options),
        }),
      ),

    /**
     * Lists messages, newest first (or oldest first from `after`, for catching up).
     * @example for await (const m of client.messages.list(cid)) console.log(m.seq, m.content);
     */
    list: (
      conversationId: string,
      query: ListQuery<"/api/conversations/{conversation_id}/messages"> = {},
      options?: RequestOptions,
    ) =>
      new Paginator((cursor) =>
        unwrap(
          raw.GET("/api/conversations/{conversation_id}/messages", {
            params: {
              path: { conversation_id: conversationId },
              query: cursor ? { ...query, cursor } : query,
            },
            ...toInit(options),
          }),
        ),
      ),

    /** One message. @throws {NotFoundError} */
    get: (conversationId: string, messageId: string, options?: RequestOptions) =>
      unwrap(
        raw.GET("/api/conversations/{conversation_id}/messages/{message_id}", {
          ...one(conversationId, messageId),
          ...toInit(options),
        }),
      ),

    /** Edits your own message. @throws {ConflictError} `message_deleted`. */
    edit: (
      conversationId: string,
      messageId: string,
      body: Schemas["EditMessageRequest"],
      options?: RequestOptions,
    ) =>
      unwrap(
        raw.PATCH("/api/conversations/{conversation_id}/messages/{message_id}", {
          ...one(conversationId, messageId),
          body,
          ...toInit(options),
        }),
      ),

    /** Deletes a message; returns its tombstone. Deleting again returns the same tombstone. */
    delete: (conversationId: string, messageId: string, options?: RequestOptions) =>
      unwrap(
        raw.DELETE("/api/conversations/{conversation_id}/messages/{message_id}", {
          ...one(conversationId, messageId),
          ...toInit(options),
        }),
      ),
  };
}
