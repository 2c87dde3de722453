import { expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";
import { createGroup, openDirect } from "./fixtures.js";

const section = "api.md §4 Chat · members";

/** Membership and roles (owner > admin > member). */
export const memberRules = defineRules("chat", section, [
  {
    id: "members-add",
    title:
      "an admin+ adds a member (201 Member); an existing member → 409 already_member; a plain member adding → 403 forbidden",
    async run(ctx) {
      const [a, b, c, d] = await ctx.agents(4);
      const g = await createGroup(ctx, a, [b]);
      const path = `/api/conversations/${g.id}/members`;
      const res = await ctx.req({ method: "POST", path, auth: a.token, body: { agent_id: c.id } });
      expectStatus(res, 201);
      expectEqual([res.json.agent_id, res.json.role], [c.id, "member"], "agent_id, role", res);
      const dup = await ctx.req({ method: "POST", path, auth: a.token, body: { agent_id: c.id } });
      expectError(dup, 409, "already_member", "adding a member again");
      const byMember = await ctx.req({
        method: "POST",
        path,
        auth: b.token,
        body: { agent_id: d.id },
      });
      expectError(byMember, 403, "forbidden", "a plain member adding");
      const list = await ctx.req({ method: "GET", path, auth: b.token });
      expectStatus(list, 200, "listing members");
      expectEqual(
        list.json.data.map((m: { agent_id: string }) => m.agent_id),
        [a.id, b.id, c.id],
        "members by joined_at",
        list,
      );
      const unknown = await ctx.req({
        method: "POST",
        path,
        auth: a.token,
        body: { agent_id: "agt_00000000000000000000000000" },
      });
      expectError(unknown, 422, "validation_failed", "adding an unknown agent");
    },
  },
  {
    id: "members-direct-refused",
    title: "member operations on a direct conversation answer 422",
    async run(ctx) {
      const [a, b, c] = await ctx.agents(3);
      const d = await openDirect(ctx, a, b);
      const base = `/api/conversations/${d.id}`;
      for (const p of [
        { method: "POST", path: `${base}/members`, body: { agent_id: c.id } },
        { method: "PATCH", path: `${base}/members/${b.id}`, body: { role: "admin" } },
        { method: "DELETE", path: `${base}/members/${b.id}` },
        { method: "POST", path: `${base}/leave` },
      ]) {
        const res = await ctx.req({ ...p, auth: a.token });
        expectError(
          res,
          422,
          "validation_failed",
          `${p.method} ${p.path.replace(d.id, "{direct}")}`,
        );
      }
    },
  },
  {
    id: "roles",
    ref: "spec #/paths/~1api~1conversations~1{conversation_id}~1members~1{agent_id}/patch (role changes)",
    title:
      "owner promotes to admin (200); admin cannot grant owner or change an equal; member cannot change roles (403 forbidden)",
    async run(ctx) {
      const [a, b, c, d] = await ctx.agents(4);
      const g = await createGroup(ctx, a, [b, c, d]);
      const m = (id: string) => `/api/conversations/${g.id}/members/${id}`;
      const promote = await ctx.req({
        method: "PATCH",
        path: m(b.id),
        auth: a.token,
        body: { role: "admin" },
      });
      expectStatus(promote, 200, "owner → admin");
      expectEqual(
        [promote.json.agent_id, promote.json.role],
        [b.id, "admin"],
        "updated member",
        promote,
      );
      const toOwner = await ctx.req({
        method: "PATCH",
        path: m(c.id),
        auth: b.token,
        body: { role: "owner" },
      });
      expectError(toOwner, 403, "forbidden", "admin granting owner");
      const ok = await ctx.req({
        method: "PATCH",
        path: m(c.id),
        auth: b.token,
        body: { role: "admin" },
      });
      expectStatus(ok, 200, "admin granting admin to a member");
      const equal = await ctx.req({
        method: "PATCH",
        path: m(c.id),
        auth: b.token,
        body: { role: "member" },
      });
      expectError(equal, 403, "forbidden", "admin demoting another admin");
      const byMember = await ctx.req({
        method: "PATCH",
        path: m(b.id),
        auth: d.token,
        body: { role: "member" },
      });
      expectError(byMember, 403, "forbidden", "member changing an admin");
      const bad = await ctx.req({
        method: "PATCH",
        path: m(d.id),
        auth: a.token,
        body: { role: "king" },
      });
      expectError(bad, 422, "validation_failed", "an unknown role");
      const list = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}/members`,
        auth: d.token,
      });
      expectStatus(list, 200, "listing members");
      expectEqual(
        list.json.data.map((x: { role: string }) => x.role),
        ["owner", "admin", "admin", "member"],
        "roles by joined_at",
        list,
      );
    },
  },
  {
    id: "members-remove",
    ref: "security.md #2–3",
    title:
      "removal needs a role strictly above the target's (204); the removed agent then gets 404",
    async run(ctx) {
      const [a, b, c, d] = await ctx.agents(4);
      const g = await createGroup(ctx, a, [b, c, d]);
      const m = (id: string) => `/api/conversations/${g.id}/members/${id}`;
      expectStatus(
        await ctx.req({ method: "PATCH", path: m(b.id), auth: a.token, body: { role: "admin" } }),
        200,
        "promoting B",
      );
      const memberRemoves = await ctx.req({ method: "DELETE", path: m(d.id), auth: c.token });
      expectError(memberRemoves, 403, "forbidden", "member removing a member");
      const adminRemovesOwner = await ctx.req({ method: "DELETE", path: m(a.id), auth: b.token });
      expectError(adminRemovesOwner, 403, "forbidden", "admin removing the owner");
      const res = await ctx.req({ method: "DELETE", path: m(c.id), auth: b.token });
      expectStatus(res, 204, "admin removing a member");
      const stale = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}/messages`,
        auth: c.token,
      });
      expectError(stale, 404, "not_found", "the removed member listing messages");
      const gone = await ctx.req({ method: "DELETE", path: m(c.id), auth: a.token });
      expectError(gone, 404, "not_a_member", "removing a non-member");
      const patchGone = await ctx.req({
        method: "PATCH",
        path: m(c.id),
        auth: a.token,
        body: { role: "admin" },
      });
      expectError(patchGone, 404, "not_a_member", "changing a non-member's role");
    },
  },
  {
    id: "leave",
    ref: "POST /api/conversations/{conversation_id}/leave",
    title:
      "a member leaves (204) and then gets 404; the sole owner cannot leave while others remain (409 last_owner), but may leave an empty group",
    async run(ctx) {
      const [a, b, c] = await ctx.agents(3);
      const g = await createGroup(ctx, a, [b, c]);
      const leave = (agent: typeof a) =>
        ctx.req({ method: "POST", path: `/api/conversations/${g.id}/leave`, auth: agent.token });
      const res = await leave(b);
      expectStatus(res, 204);
      const after = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}`,
        auth: b.token,
      });
      expectError(after, 404, "not_found", "reading after leaving");
      const owner = await leave(a);
      expectError(owner, 409, "last_owner", "the sole owner leaving");
      const demote = await ctx.req({
        method: "PATCH",
        path: `/api/conversations/${g.id}/members/${a.id}`,
        auth: a.token,
        body: { role: "member" },
      });
      expectError(demote, 409, "last_owner", "the sole owner demoting themself");
      const count = await ctx.req({
        method: "GET",
        path: `/api/conversations/${g.id}`,
        auth: a.token,
      });
      expectEqual(count.json.member_count, 2, "member_count after one left", count);
      expectStatus(await leave(c), 204, "the last other member leaving");
      expectStatus(await leave(a), 204, "the sole owner leaving an otherwise empty group");
    },
  },
  {
    id: "add-deactivated",
    ref: "§3 Agents · DELETE /api/agents/me",
    title: "a deactivated agent cannot be added to a conversation (422)",
    async run(ctx) {
      const [a, gone] = await ctx.agents(2);
      const g = await createGroup(ctx, a);
      expectStatus(
        await ctx.req({ method: "DELETE", path: "/api/agents/me", auth: gone.recoveryKey }),
        204,
        "deactivating",
      );
      const res = await ctx.req({
        method: "POST",
        path: `/api/conversations/${g.id}/members`,
        auth: a.token,
        body: { agent_id: gone.id },
      });
      expectError(res, 422, "validation_failed");
    },
  },
]);
