import type { z } from "@hono/zod-openapi";
import type { ChatHandlers } from "../../generated/routes.js";
import type { ConversationListSchema } from "../../generated/schemas.js";
import { callerOf } from "../../platform/auth/middleware.js";
import type { AppDeps } from "../../platform/env.js";
import { validationError } from "../../platform/errors.js";
import { jsonText } from "../../platform/openapi.js";
import { unwrap } from "../../platform/outcome.js";
import { decodeKey, pageOf } from "../../platform/pagination.js";
import type { ConversationKey, MemberKey } from "./store.js";

const notFound = { ok: false, code: "not_found" } as const;

/** The conversation and member handlers of the Chat domain. */
export function conversationHandlers(deps: AppDeps) {
  const { store, clock, ids, guard, cursors } = deps;
  const read = guard.agent("access", "read");
  const write = guard.agent("access", "write");
  /**
   * The JSON of conversation list pages the store answered again unchanged (the same frozen
   * object, see `listConversations`): written once, sent as is while the page lives, instead of
   * a `JSON.stringify` of every row per request (~10 % of a polled inbox's CPU, issue 18). Kept
   * with the cursor it carries, so a cursor key change still rewrites it; weak, so a page the
   * store dropped takes its text with it.
   */
  const listBodies = new WeakMap<object, { cursor: string | null; text: string }>();

  return {
    createConversation: {
      middleware: write,
      handler: async (c) => {
        const me = callerOf(c).agentId;
        const body = c.req.valid("json");
        if (body.type === "direct") {
          if (body.agent_id === me) {
            throw validationError(
              "body.agent_id",
              "You cannot open a direct conversation with yourself.",
            );
          }
          const { conversation, created } = unwrap(
            await store.chat.openDirect(me, body.agent_id, ids.next("cnv"), clock.now()),
          );
          return c.json({ ...conversation, skipped: [] }, created ? 201 : 200);
        }
        const { conversation, skipped } = unwrap(
          await store.chat.createGroup(
            me,
            {
              id: ids.next("cnv"),
              title: body.title,
              description: body.description ?? null,
              member_ids: body.member_ids ?? [],
            },
            clock.now(),
          ),
        );
        return c.json({ ...conversation, skipped }, 201);
      },
    },
    listConversations: {
      middleware: read,
      handler: async (c) => {
        const { limit, cursor } = c.req.valid("query");
        const scope = "conversations";
        const after =
          cursor === undefined
            ? null
            : decodeKey<ConversationKey>(cursors.decode(scope, cursor), ["activity_at", "id"]);
        const page = await store.chat.listConversations(callerOf(c).agentId, after, limit);
        const next = page.next === null ? null : cursors.encode(scope, JSON.stringify(page.next));
        const kept = listBodies.get(page);
        let text = kept?.cursor === next ? kept?.text : undefined;
        if (text === undefined) {
          text = JSON.stringify(pageOf(page, () => next as string));
          if (Object.isFrozen(page)) listBodies.set(page, { cursor: next, text });
        }
        return jsonText<z.infer<typeof ConversationListSchema>, 200>(c, text, 200);
      },
    },
    getConversation: {
      middleware: read,
      handler: async (c) => {
        const { conversation_id } = c.req.valid("param");
        const found = await store.chat.getConversation(callerOf(c).agentId, conversation_id);
        return c.json(unwrap(found === null ? notFound : { ok: true, value: found }), 200);
      },
    },
    updateConversation: {
      middleware: write,
      handler: async (c) => {
        const { conversation_id } = c.req.valid("param");
        const body = c.req.valid("json");
        const patch: { title?: string; description?: string | null } = {};
        if (body.title !== undefined) patch.title = body.title;
        if (body.description !== undefined) patch.description = body.description;
        const me = callerOf(c).agentId;
        const updated = await store.chat.updateConversation(
          me,
          conversation_id,
          patch,
          clock.now(),
        );
        return c.json(unwrap(updated), 200);
      },
    },
    listMembers: {
      middleware: read,
      handler: async (c) => {
        const { conversation_id } = c.req.valid("param");
        const { limit, cursor } = c.req.valid("query");
        const scope = `members:${conversation_id}`;
        const after =
          cursor === undefined
            ? null
            : decodeKey<MemberKey>(cursors.decode(scope, cursor), ["joined_at", "agent_id"]);
        const me = callerOf(c).agentId;
        const page = unwrap(await store.chat.listMembers(me, conversation_id, after, limit));
        return c.json(
          pageOf(page, (k) => cursors.encode(scope, JSON.stringify(k))),
          200,
        );
      },
    },
    addMember: {
      middleware: write,
      handler: async (c) => {
        const { conversation_id } = c.req.valid("param");
        const { agent_id, role } = c.req.valid("json");
        const me = callerOf(c).agentId;
        const added = await store.chat.addMember(me, conversation_id, agent_id, role, clock.now());
        return c.json(unwrap(added), 201);
      },
    },
    updateMember: {
      middleware: write,
      handler: async (c) => {
        const { conversation_id, agent_id } = c.req.valid("param");
        const { role } = c.req.valid("json");
        const me = callerOf(c).agentId;
        return c.json(
          unwrap(await store.chat.updateMember(me, conversation_id, agent_id, role)),
          200,
        );
      },
    },
    removeMember: {
      middleware: write,
      handler: async (c) => {
        const { conversation_id, agent_id } = c.req.valid("param");
        const me = callerOf(c).agentId;
        unwrap(await store.chat.removeMember(me, conversation_id, agent_id, clock.now()));
        return c.body(null, 204);
      },
    },
    leaveConversation: {
      middleware: write,
      handler: async (c) => {
        const { conversation_id } = c.req.valid("param");
        unwrap(await store.chat.leave(callerOf(c).agentId, conversation_id, clock.now()));
        return c.body(null, 204);
      },
    },
  } satisfies Partial<ChatHandlers>;
}
