import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";
import { createGroup, openDirect, send } from "./fixtures.js";

const section = "api.md §4 Chat · messages";

/** Editing, deleting and read markers. */
export const editRules = defineRules("chat", section, [
  {
    id: "message-edit",
    ref: "PATCH …/messages/{message_id}",
    title:
      "the author edits (200, edited_at set); anyone else gets 403 not_message_author; {} → 422",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const d = await openDirect(ctx, a, b);
      const m = await send(a, d.id, "draft");
      const path = `/api/conversations/${d.id}/messages/${m.id}`;
      const res = await ctx.req({
        method: "PATCH",
        path,
        auth: a.token,
        body: { content: "final", metadata: { v: 2 } },
      });
      expectStatus(res, 200);
      expectEqual(
        [res.json.content, res.json.metadata, res.json.seq],
        ["final", { v: 2 }, m.seq],
        "content, metadata, seq",
        res,
      );
      ensure(typeof res.json.edited_at === "string", "edited_at not set", res);
      const other = await ctx.req({
        method: "PATCH",
        path,
        auth: b.token,
        body: { content: "hijack" },
      });
      expectError(other, 403, "not_message_author", "the other member editing");
      const empty = await ctx.req({ method: "PATCH", path, auth: a.token, body: {} });
      expectError(empty, 422, "validation_failed", "an empty edit");
      const type = await ctx.req({
        method: "PATCH",
        path,
        auth: a.token,
        body: { content_type: "text/markdown" },
      });
      expectError(type, 422, "validation_failed", "editing content_type");
    },
  },
  {
    id: "message-delete",
    ref: "DELETE …/messages/{message_id}",
    title:
      "deleting answers 200 with a tombstone (content and metadata null, deleted_at set); again → the same tombstone; editing it → 409 message_deleted",
    async run(ctx) {
      const a = await ctx.agent();
      const g = await createGroup(ctx, a);
      const m = await send(a, g.id, "oops");
      const path = `/api/conversations/${g.id}/messages/${m.id}`;
      const res = await ctx.req({ method: "DELETE", path, auth: a.token });
      expectStatus(res, 200);
      expectEqual(
        [res.json.id, res.json.content, res.json.metadata],
        [m.id, null, null],
        "tombstone id, content, metadata",
        res,
      );
      ensure(typeof res.json.deleted_at === "string", "deleted_at not set", res);
      const again = await ctx.req({ method: "DELETE", path, auth: a.token });
      expectStatus(again, 200, "deleting again");
      expectEqual(again.json, res.json, "the same tombstone", again);
      const edit = await ctx.req({
        method: "PATCH",
        path,
        auth: a.token,
        body: { content: "revive" },
      });
      expectError(edit, 409, "message_deleted", "editing a deleted message");
      const listed = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}/messages`,
        auth: a.token,
      });
      expectEqual(listed.json.data[0], res.json, "the tombstone in the list", listed);
    },
  },
  {
    id: "message-delete-moderation",
    ref: "DELETE …/messages/{message_id}",
    title:
      "a group owner/admin may delete others' messages; a plain member gets 403 not_message_author",
    async run(ctx) {
      const [a, b, c] = await ctx.agents(3);
      const g = await createGroup(ctx, a, [b, c]);
      const mb = await send(b, g.id, "b's");
      const mc = await send(c, g.id, "c's");
      const byMember = await ctx.req({
        method: "DELETE",
        path: `/api/conversations/${g.id}/messages/${mc.id}`,
        auth: b.token,
      });
      expectError(byMember, 403, "not_message_author", "a member deleting another's message");
      const byOwner = await ctx.req({
        method: "DELETE",
        path: `/api/conversations/${g.id}/messages/${mb.id}`,
        auth: a.token,
      });
      expectStatus(byOwner, 200, "the owner deleting a member's message");
      const d = await openDirect(ctx, a, b);
      const md = await send(b, d.id, "dm");
      const inDirect = await ctx.req({
        method: "DELETE",
        path: `/api/conversations/${d.id}/messages/${md.id}`,
        auth: a.token,
      });
      expectError(inDirect, 403, "not_message_author", "deleting the other side's direct message");
    },
  },
  {
    id: "read-marker",
    ref: "POST …/read",
    title:
      "the read marker answers { last_read_message_id, unread_count }, only moves forward, and unread counts leave out own and deleted messages",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const g = await createGroup(ctx, a, [b]);
      const m1 = await send(a, g.id, "1");
      const m2 = await send(a, g.id, "2");
      const m3 = await send(a, g.id, "3");
      await send(b, g.id, "own");
      const view = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}`,
        auth: b.token,
      });
      expectEqual(
        [view.json.unread_count, view.json.last_read_message_id],
        [3, null],
        "B's unread before reading",
        view,
      );
      const path = `/api/conversations/${g.id}/read`;
      const res = await ctx.req({
        method: "POST",
        path,
        auth: b.token,
        body: { message_id: m2.id },
      });
      expectStatus(res, 200);
      expectEqual(
        res.json,
        { last_read_message_id: m2.id, unread_count: 1 },
        "read marker at m2",
        res,
      );
      const back = await ctx.req({
        method: "POST",
        path,
        auth: b.token,
        body: { message_id: m1.id },
      });
      expectEqual(
        back.json,
        { last_read_message_id: m2.id, unread_count: 1 },
        "marker after marking an older message",
        back,
      );
      expectStatus(
        await ctx.req({
          method: "DELETE",
          path: `/api/conversations/${g.id}/messages/${m3.id}`,
          auth: a.token,
        }),
        200,
        "deleting m3",
      );
      const after = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}`,
        auth: b.token,
      });
      expectEqual(
        after.json.unread_count,
        0,
        "unread after the only unread message was deleted",
        after,
      );
      const other = await createGroup(ctx, a);
      const foreign = await send(a, other.id, "elsewhere");
      const wrong = await ctx.req({
        method: "POST",
        path,
        auth: b.token,
        body: { message_id: foreign.id },
      });
      expectError(wrong, 404, "not_found", "marking a message of another conversation");
    },
  },
]);
