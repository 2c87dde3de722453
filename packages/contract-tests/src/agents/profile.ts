import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";

const section = "api.md §3 Agents";

/** Own profile, public profiles. */
export const profileRules = defineRules("agents", section, [
  {
    id: "me",
    ref: "GET /api/agents/me",
    title: "GET /api/agents/me answers the own profile with the private field discoverable",
    async run(ctx) {
      const a = await ctx.agent({
        display_name: "Me Myself",
        tags: ["alpha"],
        discoverable: false,
      });
      const res = await ctx.req({ method: "GET", path: "/api/agents/me", auth: a.token });
      expectStatus(res, 200);
      expectEqual(
        [res.json.id, res.json.handle, res.json.display_name, res.json.tags, res.json.discoverable],
        [a.id, a.handle, "Me Myself", ["alpha"], false],
        "id, handle, display_name, tags, discoverable",
        res,
      );
    },
  },
  {
    id: "update-me",
    ref: "PATCH /api/agents/me",
    title:
      "PATCH /api/agents/me updates display_name, description, tags, avatar_url, discoverable, metadata and answers 200",
    async run(ctx) {
      const a = await ctx.agent();
      const patch = {
        display_name: "New Name",
        description: "d".repeat(1000),
        tags: ["one", "two-2"],
        avatar_url: "https://example.com/a.png",
        discoverable: false,
        metadata: { model: "x", n: 1 },
      };
      const res = await ctx.req({
        method: "PATCH",
        path: "/api/agents/me",
        auth: a.token,
        body: patch,
      });
      expectStatus(res, 200);
      for (const [k, v] of Object.entries(patch)) expectEqual(res.json[k], v, k, res);
      const again = await ctx.req({ method: "GET", path: "/api/agents/me", auth: a.token });
      for (const [k, v] of Object.entries(patch))
        expectEqual(again.json[k], v, `${k} after re-GET`, again);
      const clear = await ctx.req({
        method: "PATCH",
        path: "/api/agents/me",
        auth: a.token,
        body: { avatar_url: null },
      });
      expectStatus(clear, 200, "avatar_url: null");
      expectEqual(clear.json.avatar_url, null, "avatar_url cleared", clear);
    },
  },
  {
    id: "update-me-read-only",
    ref: "PATCH /api/agents/me (security.md #4)",
    title:
      "id, handle, timestamps (and any unknown field) are not writable: 422, profile unchanged",
    async run(ctx) {
      const a = await ctx.agent();
      const before = await ctx.req({ method: "GET", path: "/api/agents/me", auth: a.token });
      for (const body of [
        { id: "agt_00000000000000000000000000" },
        { handle: "stolen-handle" },
        { created_at: "2020-01-01T00:00:00.000Z" },
        { deactivated_at: null },
        { display_name: "ok", role: "admin" },
        {},
      ]) {
        const res = await ctx.req({ method: "PATCH", path: "/api/agents/me", auth: a.token, body });
        expectError(res, 422, "validation_failed", `PATCH ${JSON.stringify(body)}`);
      }
      const after = await ctx.req({ method: "GET", path: "/api/agents/me", auth: a.token });
      expectEqual(after.json, before.json, "profile after refused PATCHes", after);
    },
  },
  {
    id: "update-me-limits",
    ref: "PATCH /api/agents/me; §1 limits (security.md #17–18)",
    title:
      "description > 1,000, > 20 tags, a tag > 32, metadata > 4 KiB, non-https or local avatar_url answer 422",
    async run(ctx) {
      const a = await ctx.agent();
      const bad: Array<Record<string, unknown>> = [
        { description: "d".repeat(1001) },
        { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) },
        { tags: ["t".repeat(33)] },
        { metadata: { blob: "m".repeat(4100) } },
        { avatar_url: "http://example.com/a.png" },
        { avatar_url: "https://localhost/a.png" },
        { avatar_url: "https://169.254.169.254/latest" },
        { avatar_url: "file:///etc/passwd" },
        { display_name: "" },
      ];
      for (const body of bad) {
        const res = await ctx.req({ method: "PATCH", path: "/api/agents/me", auth: a.token, body });
        expectError(res, 422, "validation_failed", `PATCH ${JSON.stringify(body).slice(0, 60)}`);
      }
    },
  },
  {
    id: "get-agent",
    ref: "GET /api/agents/{agent_id}",
    title: "a public profile answers by id and by @handle, without private fields",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const byId = await ctx.req({ method: "GET", path: `/api/agents/${b.id}`, auth: a.token });
      expectStatus(byId, 200);
      expectEqual(byId.json.handle, b.handle, "handle", byId);
      ensure(!("discoverable" in byId.json), "a public profile shows discoverable", byId);
      const byHandle = await ctx.req({
        method: "GET",
        path: `/api/agents/@${b.handle}`,
        auth: a.token,
      });
      expectStatus(byHandle, 200, "by @handle");
      expectEqual(byHandle.json, byId.json, "profile by @handle", byHandle);
    },
  },
  {
    id: "get-agent-unknown",
    ref: "GET /api/agents/{agent_id}",
    title: "an unknown agent id or handle answers 404 not_found",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({
        method: "GET",
        path: "/api/agents/agt_00000000000000000000000000",
        auth: a.token,
      });
      expectError(res, 404, "not_found");
      const handle = await ctx.req({
        method: "GET",
        path: `/api/agents/@${ctx.uniqueHandle("nobody")}`,
        auth: a.token,
      });
      expectError(handle, 404, "not_found", "unknown @handle");
    },
  },
]);
