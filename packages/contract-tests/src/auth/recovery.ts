import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";
import { forgeSecret } from "../core/secrets.js";

const section = "api.md §2 Authentication";

/** Recovery key rotation and account recovery. */
export const recoveryRules = defineRules("auth", section, [
  {
    id: "recovery-key-rotate",
    ref: "POST /api/auth/recovery-key/rotate",
    title:
      "rotation answers 200 { recovery_key } with no-store; the old key stops working, the new one works",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/recovery-key/rotate",
        auth: a.recoveryKey,
      });
      expectStatus(res, 200);
      expectEqual(res.header("cache-control"), "no-store", "Cache-Control", res);
      const fresh: string = res.json.recovery_key;
      ensure(fresh !== a.recoveryKey, "the same recovery key came back", res);
      const old = await ctx.req({
        method: "POST",
        path: "/api/auth/recovery-key/rotate",
        auth: a.recoveryKey,
      });
      expectError(old, 401, "invalid_credentials", "the old recovery key");
      const works = await ctx.req({
        method: "POST",
        path: "/api/auth/api-keys",
        auth: fresh,
        body: { name: "after-rotate" },
      });
      expectStatus(works, 201, "creating a key with the new recovery key");
    },
  },
  {
    id: "recover",
    ref: "POST /api/auth/recover",
    title:
      "recovery answers 200 { recovery_key } with no-store and revokes every api key, session and the old recovery key",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/recover",
        body: { agent_id: a.id, recovery_key: a.recoveryKey },
      });
      expectStatus(res, 200);
      expectEqual(res.header("cache-control"), "no-store", "Cache-Control", res);
      const token = await ctx.req({ method: "GET", path: "/api/agents/me", auth: a.token });
      expectError(token, 401, "session_revoked", "a token from before recovery");
      const key = await ctx.req({
        method: "POST",
        path: "/api/auth/token",
        body: { api_key: a.apiKey },
      });
      expectError(key, 401, "invalid_credentials", "an api key from before recovery");
      const old = await ctx.req({
        method: "POST",
        path: "/api/auth/recover",
        body: { agent_id: a.id, recovery_key: a.recoveryKey },
      });
      expectError(old, 401, "invalid_credentials", "the old recovery key");
      const next = await ctx.req({
        method: "POST",
        path: "/api/auth/api-keys",
        auth: res.json.recovery_key,
        body: { name: "recovered" },
      });
      expectStatus(next, 201, "a new api key with the new recovery key");
    },
  },
  {
    id: "recover-refusals",
    ref: "POST /api/auth/recover",
    title:
      "recovery with a wrong key or an unknown agent answers 401 invalid_credentials and changes nothing",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const wrong = await ctx.req({
        method: "POST",
        path: "/api/auth/recover",
        body: { agent_id: a.id, recovery_key: forgeSecret("fxr_") },
      });
      expectError(wrong, 401, "invalid_credentials", "a wrong recovery key");
      const foreign = await ctx.req({
        method: "POST",
        path: "/api/auth/recover",
        body: { agent_id: a.id, recovery_key: b.recoveryKey },
      });
      expectError(foreign, 401, "invalid_credentials", "another agent's recovery key");
      const unknown = await ctx.req({
        method: "POST",
        path: "/api/auth/recover",
        body: { agent_id: "agt_00000000000000000000000000", recovery_key: a.recoveryKey },
      });
      expectError(unknown, 401, "invalid_credentials", "an unknown agent");
      const alive = await ctx.req({ method: "GET", path: "/api/agents/me", auth: a.token });
      expectStatus(alive, 200, "A's session after failed recoveries");
    },
  },
]);
