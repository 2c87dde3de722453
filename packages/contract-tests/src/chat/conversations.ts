import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";
import { createGroup, ids, openDirect, send } from "./fixtures.js";

const section = "api.md §4 Chat";

/** Creating, listing, reading and updating conversations. */
export const conversationRules = defineRules("chat", section, [
  {
    id: "group-create",
    ref: "POST /api/conversations",
    title:
      "creating a group answers 201; the caller is owner; invitees become members; skipped is []",
    async run(ctx) {
      const [a, b, c] = await ctx.agents(3);
      const res = await ctx.req({
        method: "POST",
        path: "/api/conversations",
        auth: a.token,
        body: {
          type: "group",
          title: "Team",
          description: "d",
          member_ids: [b.id, c.id, b.id, a.id],
        },
      });
      expectStatus(res, 201);
      const g = res.json;
      expectEqual(
        [g.type, g.title, g.description, g.role, g.member_count, g.skipped, g.created_by],
        ["group", "Team", "d", "owner", 3, [], a.id],
        "type, title, description, role, member_count, skipped, created_by",
        res,
      );
      expectEqual(
        [g.last_message, g.last_message_at, g.unread_count, g.last_read_message_id],
        [null, null, 0, null],
        "empty conversation view",
        res,
      );
      const seen = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}`,
        auth: b.token,
      });
      expectStatus(seen, 200, "an invitee reading the group");
      expectEqual(seen.json.role, "member", "invitee role", seen);
    },
  },
  {
    id: "group-create-invalid",
    ref: "POST /api/conversations (spec #/paths/~1api~1conversations/post: unknown invitees → 422)",
    title:
      "a group without title, with > 99 invitees or naming an unknown agent answers 422 validation_failed",
    async run(ctx) {
      const a = await ctx.agent();
      const unknown = "agt_00000000000000000000000000";
      const many = Array.from(
        { length: 100 },
        (_, i) => `agt_0000000000000000000000${String(i).padStart(4, "0")}`,
      );
      for (const body of [
        { type: "group" },
        { type: "group", title: "" },
        { type: "group", title: "x", member_ids: many },
        { type: "group", title: "x", member_ids: [unknown] },
        { type: "channel", title: "x" },
      ]) {
        const res = await ctx.req({
          method: "POST",
          path: "/api/conversations",
          auth: a.token,
          body,
        });
        expectError(res, 422, "validation_failed", JSON.stringify(body).slice(0, 80));
      }
    },
  },
  {
    id: "conversation-visibility",
    ref: "§1 visibility; security.md #1",
    title:
      "a non-member gets 404 not_found for the conversation, its messages, a message, its members, sending and reading",
    async run(ctx) {
      const [a, b, outsider] = await ctx.agents(3);
      const d = await openDirect(ctx, a, b);
      const m = await send(a, d.id, "secret");
      const base = `/api/conversations/${d.id}`;
      const probes = [
        { method: "GET", path: base },
        { method: "GET", path: `${base}/messages` },
        { method: "GET", path: `${base}/messages/${m.id}` },
        { method: "PATCH", path: `${base}/messages/${m.id}`, body: { content: "x" } },
        { method: "DELETE", path: `${base}/messages/${m.id}` },
        { method: "POST", path: `${base}/messages`, body: { content: "hi" } },
        { method: "POST", path: `${base}/read`, body: { message_id: m.id } },
        { method: "GET", path: `${base}/members` },
        { method: "POST", path: `${base}/members`, body: { agent_id: outsider.id } },
        { method: "PATCH", path: `${base}/members/${b.id}`, body: { role: "member" } },
        { method: "DELETE", path: `${base}/members/${b.id}` },
        { method: "PATCH", path: base, body: { title: "x" } },
        { method: "POST", path: `${base}/leave` },
      ];
      for (const p of probes) {
        const res = await ctx.req({ ...p, auth: outsider.token });
        expectError(res, 404, "not_found", `${p.method} ${p.path.replace(d.id, "{id}")}`);
      }
      const unknown = await ctx.req({
        method: "GET",
        path: "/api/conversations/cnv_00000000000000000000000000",
        auth: a.token,
      });
      expectEqual(
        [unknown.status, unknown.errorCode],
        [404, "not_found"],
        "an unknown conversation",
        unknown,
      );
    },
  },
  {
    id: "conversations-list-order",
    ref: "GET /api/conversations",
    title:
      "the caller's conversations, most recent activity first; a new message moves its conversation to the top",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const g1 = await createGroup(ctx, a, [], "first");
      const g2 = await createGroup(ctx, a, [], "second");
      const d = await openDirect(ctx, a, b);
      const list = await ctx.req({ method: "GET", path: "/api/conversations", auth: a.token });
      expectStatus(list, 200);
      expectEqual(ids(list.json.data), [d.id, g2.id, g1.id], "newest first", list);
      await send(a, g1.id, "bump");
      const after = await ctx.req({ method: "GET", path: "/api/conversations", auth: a.token });
      expectEqual(
        ids(after.json.data),
        [g1.id, d.id, g2.id],
        "after a message in the oldest",
        after,
      );
      const top = after.json.data[0];
      ensure(
        top.last_message?.content === "bump" && top.last_message_at !== null,
        "last_message / last_message_at not set",
        after,
      );
      const bList = await ctx.req({ method: "GET", path: "/api/conversations", auth: b.token });
      expectEqual(ids(bList.json.data), [d.id], "B's conversations", bList);
      const page = await ctx.req({
        method: "GET",
        path: "/api/conversations",
        auth: a.token,
        query: { limit: 2 },
      });
      const rest = await ctx.req({
        method: "GET",
        path: "/api/conversations",
        auth: a.token,
        query: { limit: 2, cursor: page.json.next_cursor },
      });
      expectEqual(
        [...ids(page.json.data), ...ids(rest.json.data)],
        ids(after.json.data),
        "two pages of 2",
        rest,
      );
    },
  },
  {
    id: "conversation-update",
    ref: "PATCH /api/conversations/{conversation_id}",
    title:
      "owner/admin may update title and description (200); a member gets 403 forbidden; a direct conversation 422",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const g = await createGroup(ctx, a, [b]);
      const res = await ctx.req({
        method: "PATCH",
        path: `/api/conversations/${g.id}`,
        auth: a.token,
        body: { title: "Renamed", description: null },
      });
      expectStatus(res, 200);
      expectEqual(
        [res.json.title, res.json.description],
        ["Renamed", null],
        "title, description",
        res,
      );
      const member = await ctx.req({
        method: "PATCH",
        path: `/api/conversations/${g.id}`,
        auth: b.token,
        body: { title: "Mine" },
      });
      expectError(member, 403, "forbidden", "a plain member renaming");
      const empty = await ctx.req({
        method: "PATCH",
        path: `/api/conversations/${g.id}`,
        auth: a.token,
        body: {},
      });
      expectError(empty, 422, "validation_failed", "an empty PATCH");
      const d = await openDirect(ctx, a, b);
      const direct = await ctx.req({
        method: "PATCH",
        path: `/api/conversations/${d.id}`,
        auth: a.token,
        body: { title: "x" },
      });
      expectError(direct, 422, "validation_failed", "renaming a direct conversation");
    },
  },
]);
