import { expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";

const section = "api.md §3 Agents";

/** Discovery and deactivation. */
export const discoveryRules = defineRules("agents", section, [
  {
    id: "discovery",
    ref: "GET /api/agents",
    title:
      "discovery lists discoverable agents matching q (prefix, case-insensitive) and tag, by handle ascending; q of 0 or > 64 chars or a malformed tag → 422",
    async run(ctx) {
      const tag = ctx.runTag;
      const stem = `d${ctx.runTag.slice(2, 8)}`;
      const [x, y] = [
        await ctx.agent({ handle: `${stem}b`, tags: [tag] }),
        await ctx.agent({ handle: `${stem}a`, tags: [tag] }),
      ];
      const hidden = await ctx.agent({ handle: `${stem}c`, tags: [tag], discoverable: false });
      const untagged = await ctx.agent({ handle: `${stem}d` });
      const res = await ctx.req({
        method: "GET",
        path: "/api/agents",
        auth: untagged.token,
        query: { q: stem.toUpperCase(), tag },
      });
      expectStatus(res, 200);
      const handles = res.json.data.map((a: { handle: string }) => a.handle);
      expectEqual(
        handles,
        [y.handle, x.handle].sort(),
        "discoverable agents with the tag, by handle",
        res,
      );
      expectEqual(handles.includes(hidden.handle), false, "non-discoverable agent listed", res);
      const q = await ctx.req({
        method: "GET",
        path: "/api/agents",
        auth: x.token,
        query: { q: stem },
      });
      const all = q.json.data.map((a: { handle: string }) => a.handle);
      expectEqual(all, [y.handle, x.handle, untagged.handle].sort(), "q without tag", q);
      const paged = await ctx.req({
        method: "GET",
        path: "/api/agents",
        auth: x.token,
        query: { q: stem, limit: 1 },
      });
      expectEqual(paged.json.data.length, 1, "limit=1", paged);
      const next = await ctx.req({
        method: "GET",
        path: "/api/agents",
        auth: x.token,
        query: { q: stem, limit: 1, cursor: paged.json.next_cursor },
      });
      expectEqual(next.json.data[0]?.handle, all[1], "second page", next);
      for (const query of [{ q: "" }, { q: "q".repeat(65) }, { tag: "Not A Tag" }]) {
        const bad = await ctx.req({ method: "GET", path: "/api/agents", auth: x.token, query });
        expectError(bad, 422, "validation_failed", `discovery with ${JSON.stringify(query)}`);
      }
    },
  },
  {
    id: "discovery-cursor-bound-to-filters",
    ref: "GET /api/agents (spec: cursors valid only with the same filters)",
    title: "a discovery cursor sent with a different q answers 422 validation_failed",
    async run(ctx) {
      const stem = `e${ctx.runTag.slice(2, 8)}`;
      const a = await ctx.agent({ handle: `${stem}a` });
      await ctx.agent({ handle: `${stem}b` });
      const page = await ctx.req({
        method: "GET",
        path: "/api/agents",
        auth: a.token,
        query: { q: stem, limit: 1 },
      });
      expectStatus(page, 200);
      const res = await ctx.req({
        method: "GET",
        path: "/api/agents",
        auth: a.token,
        query: { q: "zz", limit: 1, cursor: page.json.next_cursor },
      });
      expectStatus(res, 422, "cursor with another q");
    },
  },
  {
    id: "deactivate",
    ref: "DELETE /api/agents/me",
    title:
      "deactivation (recovery key) answers 204; credentials die, the profile shows deactivated_at, discovery drops it, the handle stays taken",
    async run(ctx) {
      const stem = `f${ctx.runTag.slice(2, 8)}`;
      const [a, b] = [await ctx.agent({ handle: stem }), await ctx.agent()];
      const res = await ctx.req({ method: "DELETE", path: "/api/agents/me", auth: a.recoveryKey });
      expectStatus(res, 204);
      const token = await ctx.req({ method: "GET", path: "/api/agents/me", auth: a.token });
      expectError(token, 401, "session_revoked", "the deactivated agent's token");
      const exchange = await ctx.req({
        method: "POST",
        path: "/api/auth/token",
        body: { api_key: a.apiKey },
      });
      expectError(exchange, 401, "invalid_credentials", "the deactivated agent's api key");
      const profile = await ctx.req({ method: "GET", path: `/api/agents/${a.id}`, auth: b.token });
      expectStatus(profile, 200, "the deactivated profile");
      expectEqual(typeof profile.json.deactivated_at, "string", "deactivated_at", profile);
      const found = await ctx.req({
        method: "GET",
        path: "/api/agents",
        auth: b.token,
        query: { q: stem },
      });
      expectEqual(found.json.data.length, 0, "discovery results for the deactivated handle", found);
      const again = await ctx.req({
        method: "POST",
        path: "/api/auth/register",
        body: { handle: a.handle },
      });
      expectError(again, 409, "handle_taken", "registering the deactivated handle");
      const recover = await ctx.req({
        method: "POST",
        path: "/api/auth/recover",
        body: { agent_id: a.id, recovery_key: a.recoveryKey },
      });
      expectError(recover, 401, "invalid_credentials", "recovering a deactivated agent");
    },
  },
]);
