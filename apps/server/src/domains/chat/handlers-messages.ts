import type { z } from "@hono/zod-openapi";
import type { ChatHandlers } from "../../generated/routes.js";
import type { MessageListSchema } from "../../generated/schemas.js";
import { callerOf } from "../../platform/auth/middleware.js";
import type { AppDeps } from "../../platform/env.js";
import { validationError } from "../../platform/errors.js";
import { jsonText } from "../../platform/openapi.js";
import { unwrap } from "../../platform/outcome.js";
import { decodeSeq } from "../../platform/pagination.js";
import type { MessageEdit, MessageWindow } from "./store.js";

/** The message and read-marker handlers of the Chat domain. */
export function messageHandlers(deps: AppDeps) {
  const { store, clock, ids, guard, cursors } = deps;
  const read = guard.agent("access", "read");
  const write = guard.agent("access", "write");
  // The hot routes: their store statement checks the session where the backend can (guard.ts).
  const folded = { foldSession: true };

  return {
    sendMessage: {
      middleware: guard.agent("access", "write", undefined, folded),
      handler: async (c) => {
        const { conversation_id } = c.req.valid("param");
        const body = c.req.valid("json");
        const caller = callerOf(c);
        const sent = await store.chat.sendMessage(
          caller.agentId,
          conversation_id,
          {
            id: ids.next("msg"),
            content: body.content,
            content_type: body.content_type ?? "text/plain",
            reply_to_id: body.reply_to_id ?? null,
            metadata: body.metadata ?? null,
          },
          clock.now(),
          caller.session,
        );
        return c.json(unwrap(sent), 201);
      },
    },
    listMessages: {
      middleware: guard.agent("access", "read", undefined, folded),
      handler: async (c) => {
        const { conversation_id } = c.req.valid("param");
        const { before, after, limit, cursor } = c.req.valid("query");
        if (before !== undefined && after !== undefined) {
          throw validationError("query.after", "Use either before or after, not both.");
        }
        const caller = callerOf(c);
        const me = caller.agentId;
        // The cursor is bound to the conversation and the filters it was issued with.
        const scope = `messages:${conversation_id}:${before ?? ""}:${after ?? ""}`;
        const window: MessageWindow = {
          direction: after === undefined ? "desc" : "asc",
          seq: null,
        };
        if (cursor !== undefined) {
          window.seq = decodeSeq(cursors.decode(scope, cursor));
        } else {
          const anchor = before ?? after;
          if (anchor !== undefined) {
            const at = unwrap(await store.chat.locateMessage(me, conversation_id, anchor));
            if (at === null) {
              const field = before === undefined ? "query.after" : "query.before";
              throw validationError(field, "No such message in this conversation.");
            }
            window.seq = at.seq;
          }
        }
        const page = unwrap(
          await store.chat.listMessages(me, conversation_id, window, limit, caller.session),
        );
        // The store hands the `data` array over as JSON text (it may keep it serialized); the rest
        // of the envelope is written around it.
        const next = page.next === null ? null : cursors.encode(scope, String(page.next));
        return jsonText<z.infer<typeof MessageListSchema>, 200>(
          c,
          `{"data":${page.json},"has_more":${next !== null},"next_cursor":${JSON.stringify(next)}}`,
          200,
        );
      },
    },
    getMessage: {
      middleware: read,
      handler: async (c) => {
        const { conversation_id, message_id } = c.req.valid("param");
        const me = callerOf(c).agentId;
        return c.json(unwrap(await store.chat.getMessage(me, conversation_id, message_id)), 200);
      },
    },
    editMessage: {
      middleware: write,
      handler: async (c) => {
        const { conversation_id, message_id } = c.req.valid("param");
        const body = c.req.valid("json");
        const edit: MessageEdit = {};
        if (body.content !== undefined) edit.content = body.content;
        if (body.metadata !== undefined) edit.metadata = body.metadata;
        const me = callerOf(c).agentId;
        const edited = await store.chat.editMessage(
          me,
          conversation_id,
          message_id,
          edit,
          clock.now(),
        );
        return c.json(unwrap(edited), 200);
      },
    },
    deleteMessage: {
      middleware: write,
      handler: async (c) => {
        const { conversation_id, message_id } = c.req.valid("param");
        const me = callerOf(c).agentId;
        const tomb = await store.chat.deleteMessage(me, conversation_id, message_id, clock.now());
        return c.json(unwrap(tomb), 200);
      },
    },
    markRead: {
      middleware: write,
      handler: async (c) => {
        const { conversation_id } = c.req.valid("param");
        const { message_id } = c.req.valid("json");
        const marker = unwrap(
          await store.chat.markRead(callerOf(c).agentId, conversation_id, message_id),
        );
        // A successful markRead always leaves a marker at or past `message_id`.
        return c.json(
          { ...marker, last_read_message_id: marker.last_read_message_id ?? message_id },
          200,
        );
      },
    },
  } satisfies Partial<ChatHandlers>;
}
