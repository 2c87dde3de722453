import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";

const section = "api.md §2 Authentication";

/** Registration and api keys. */
export const registrationRules = defineRules("auth", section, [
  {
    id: "register",
    ref: "POST /api/auth/register",
    title:
      "registration answers 201 { agent, recovery_key } with no-store; defaults: display_name = handle, discoverable true",
    async run(ctx) {
      const handle = ctx.uniqueHandle("reg");
      const res = await ctx.req({ method: "POST", path: "/api/auth/register", body: { handle } });
      expectStatus(res, 201);
      expectEqual(res.header("cache-control"), "no-store", "Cache-Control", res);
      const { agent, recovery_key } = res.json;
      expectEqual(agent.handle, handle, "handle", res);
      expectEqual(agent.display_name, handle, "display_name default", res);
      expectEqual(agent.discoverable, true, "discoverable default", res);
      ensure(
        typeof recovery_key === "string" && recovery_key.startsWith("fxr_"),
        "recovery_key",
        res,
      );
    },
  },
  {
    id: "register-handle-case-folded",
    ref: "POST /api/auth/register",
    title: "handles are case-folded: Mixed-Case registers as mixed-case",
    async run(ctx) {
      const handle = ctx.uniqueHandle("Case");
      const mixed = `Mc${handle}`;
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/register",
        body: { handle: mixed },
      });
      expectStatus(res, 201);
      expectEqual(res.json.agent.handle, mixed.toLowerCase(), "stored handle", res);
    },
  },
  {
    id: "register-handle-taken",
    ref: "POST /api/auth/register",
    title: "a taken handle (in any case) answers 409 handle_taken",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/register",
        body: { handle: a.handle.toUpperCase() },
      });
      expectError(res, 409, "handle_taken");
    },
  },
  {
    id: "register-handle-invalid",
    ref: "POST /api/auth/register",
    title: "a handle outside 3–32 of [a-z0-9_-] answers 422 validation_failed",
    async run(ctx) {
      for (const handle of ["ab", "has space", "x".repeat(33), "dot.dot", ""]) {
        const res = await ctx.req({ method: "POST", path: "/api/auth/register", body: { handle } });
        expectError(res, 422, "validation_failed", `handle ${JSON.stringify(handle)}`);
      }
    },
  },
  {
    id: "api-key-create",
    ref: "POST /api/auth/api-keys",
    title:
      "creating an api key (recovery key or access token) answers 201 { api_key, key } with no-store; prefix = first 12 chars",
    async run(ctx) {
      const a = await ctx.agent();
      for (const auth of [a.recoveryKey, a.token]) {
        const res = await ctx.req({
          method: "POST",
          path: "/api/auth/api-keys",
          auth,
          body: { name: "second" },
        });
        expectStatus(res, 201);
        expectEqual(res.header("cache-control"), "no-store", "Cache-Control", res);
        expectEqual(res.json.key.prefix, res.json.api_key.slice(0, 12), "key.prefix", res);
        expectEqual(res.json.key.revoked_at, null, "revoked_at", res);
        expectEqual(res.json.key.name, "second", "name", res);
      }
    },
  },
  {
    id: "api-key-list-no-secrets",
    ref: "GET /api/auth/api-keys",
    title: "listing api keys shows metadata only, never a secret",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({ method: "GET", path: "/api/auth/api-keys", auth: a.token });
      expectStatus(res, 200);
      expectEqual(
        res.json.data.map((k: { id: string }) => k.id),
        [a.apiKeyId],
        "listed key ids",
        res,
      );
      ensure(
        !res.text.includes(a.apiKey) && !res.text.includes(a.recoveryKey),
        "a secret appears in the list",
        res,
      );
      ensure(
        !/fx[kr]_[0-9A-Za-z]{38}/.test(res.text),
        "a secret-shaped value appears in the list",
        res,
      );
    },
  },
  {
    id: "api-key-expires-at-past",
    ref: "POST /api/auth/api-keys",
    title: "expires_at in the past answers 422 validation_failed",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/api-keys",
        auth: a.token,
        body: { name: "old", expires_at: "2020-01-01T00:00:00.000Z" },
      });
      expectError(res, 422, "validation_failed");
    },
  },
  {
    id: "api-key-revoke",
    ref: "DELETE /api/auth/api-keys/{key_id}",
    title:
      "revoking a key answers 204, kills its sessions at once (401 session_revoked), refuses its exchange, and is idempotent",
    async run(ctx) {
      const a = await ctx.agent();
      const second = await a.client.auth.createApiKey({ name: "doomed" });
      const token = await ctx.sdk().auth.exchangeToken(second.api_key);
      const before = await ctx.req({
        method: "GET",
        path: "/api/auth/session",
        auth: token.access_token,
      });
      expectStatus(before, 200, "before revocation");
      const del = await ctx.req({
        method: "DELETE",
        path: `/api/auth/api-keys/${second.key.id}`,
        auth: a.token,
      });
      expectStatus(del, 204);
      const after = await ctx.req({
        method: "GET",
        path: "/api/auth/session",
        auth: token.access_token,
      });
      expectError(after, 401, "session_revoked", "a token of the revoked key");
      const exchange = await ctx.req({
        method: "POST",
        path: "/api/auth/token",
        body: { api_key: second.api_key },
      });
      expectError(exchange, 401, "invalid_credentials", "exchanging the revoked key");
      const again = await ctx.req({
        method: "DELETE",
        path: `/api/auth/api-keys/${second.key.id}`,
        auth: a.token,
      });
      expectStatus(again, 204, "revoking again");
      const list = await ctx.req({ method: "GET", path: "/api/auth/api-keys", auth: a.token });
      const listed = list.json.data.find((k: { id: string }) => k.id === second.key.id);
      ensure(
        listed && listed.revoked_at !== null,
        "the revoked key is listed with revoked_at",
        list,
      );
      const still = await ctx.req({ method: "GET", path: "/api/auth/session", auth: a.token });
      expectStatus(still, 200, "the other key's session");
    },
  },
  {
    id: "api-key-revoke-visibility",
    ref: "DELETE /api/auth/api-keys/{key_id}; §1 visibility",
    title:
      "revoking another agent's key, or an unknown key, answers 404 not_found and changes nothing",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const res = await ctx.req({
        method: "DELETE",
        path: `/api/auth/api-keys/${b.apiKeyId}`,
        auth: a.token,
      });
      expectError(res, 404, "not_found");
      const unknown = await ctx.req({
        method: "DELETE",
        path: "/api/auth/api-keys/key_00000000000000000000000000",
        auth: a.token,
      });
      expectError(unknown, 404, "not_found", "an unknown key");
      const bStill = await ctx.req({ method: "GET", path: "/api/auth/session", auth: b.token });
      expectStatus(bStill, 200, "B's session");
    },
  },
]);
