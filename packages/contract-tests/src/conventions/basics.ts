import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";

const section = "api.md §1 Conventions";

/** Health, ids, time, JSON, routing and request ids. */
export const basicRules = defineRules("conventions", section, [
  {
    id: "health",
    ref: "§6 Health",
    title: "GET /health answers 200 { status: healthy, timestamp, version: 0.4.0 }",
    async run(ctx) {
      const res = await ctx.req({ method: "GET", path: "/health" });
      expectStatus(res, 200);
      expectEqual(res.json?.status, "healthy", "status", res);
      expectEqual(res.json?.version, "0.4.0", "version", res);
    },
  },
  {
    id: "id-format",
    ref: "IDs",
    title: "ids are <prefix>_<26 Crockford base32> with the documented prefix per resource",
    async run(ctx) {
      const a = await ctx.agent();
      const crockford = "[0-9a-hjkmnp-tv-z]{26}";
      const check = (value: string, prefix: string) =>
        ensure(
          new RegExp(`^${prefix}_${crockford}$`).test(value),
          `${value} is not a ${prefix}_ id`,
        );
      check(a.id, "agt");
      check(a.apiKeyId, "key");
      check(a.sessionId, "ses");
      const res = await ctx.req({ method: "GET", path: "/api/agents/me", auth: a.token });
      check(res.header("x-request-id") ?? "", "req");
    },
  },
  {
    id: "ids-time-ordered",
    ref: "IDs",
    title: "ids are time-ordered: resources created one after another sort by id in creation order",
    async run(ctx) {
      const a = await ctx.agent();
      const ids: string[] = [a.apiKeyId];
      for (let i = 0; i < 4; i++) {
        const res = await ctx.req({
          method: "POST",
          path: "/api/auth/api-keys",
          auth: a.token,
          body: { name: `k${i}` },
        });
        expectStatus(res, 201);
        ids.push(res.json.key.id);
      }
      expectEqual([...ids].sort(), ids, "ids in creation order");
    },
  },
  {
    id: "timestamps",
    ref: "time",
    title:
      "timestamps are RFC 3339 UTC with milliseconds and Z; a nullable *_at is null, never absent",
    async run(ctx) {
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/register",
        body: { handle: ctx.uniqueHandle("time") },
      });
      expectStatus(res, 201);
      const agent = res.json.agent;
      for (const field of ["created_at", "updated_at"]) {
        ensure(
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(agent[field]),
          `${field} = ${agent[field]}`,
          res,
        );
      }
      ensure(
        "deactivated_at" in agent && agent.deactivated_at === null,
        "deactivated_at must be null",
        res,
      );
      ensure(agent.avatar_url === null, "avatar_url must be null when unset", res);
    },
  },
  {
    id: "invalid-json",
    ref: "limits",
    title: "an unparsable JSON body answers 400 invalid_json",
    async run(ctx) {
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/register",
        rawBody: '{"handle": "x',
      });
      expectError(res, 400, "invalid_json");
      const a = await ctx.agent();
      const res2 = await ctx.req({
        method: "PATCH",
        path: "/api/agents/me",
        auth: a.token,
        rawBody: "not json",
      });
      expectError(res2, 400, "invalid_json", "PATCH /api/agents/me");
    },
  },
  {
    id: "unknown-fields-rejected",
    ref: "JSON",
    title: "unknown request fields are rejected with 422 validation_failed naming the field",
    async run(ctx) {
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/register",
        body: { handle: ctx.uniqueHandle("typo"), dispaly_name: "typo" },
      });
      expectError(res, 422, "validation_failed");
      const paths = (res.json.error.details ?? []).map((d: { path: string }) => d.path).join(" ");
      ensure(
        paths.includes("dispaly_name") || paths.startsWith("body"),
        `details do not point at the unknown field: ${paths}`,
        res,
      );
    },
  },
  {
    id: "validation-details",
    ref: "errors",
    title: "validation failures list details { path, message }, path naming the offending input",
    async run(ctx) {
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/register",
        body: { handle: "x" },
      });
      expectError(res, 422, "validation_failed");
      const details = res.json.error.details as Array<{ path: string; message: string }>;
      ensure(Array.isArray(details) && details.length > 0, "no details", res);
      ensure(
        details.some((d) => d.path.includes("handle")),
        `no detail names body.handle: ${JSON.stringify(details)}`,
        res,
      );
    },
  },
  {
    id: "unknown-query-params",
    ref: "JSON (spec: unknown query parameters → 422)",
    title: "unknown query parameters on /api routes answer 422 validation_failed",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({
        method: "GET",
        path: "/api/agents/me",
        auth: a.token,
        query: { verbose: 1 },
      });
      expectError(res, 422, "validation_failed");
    },
  },
  {
    id: "route-not-found",
    ref: "limits",
    title: "an unknown route answers 404 route_not_found",
    async run(ctx) {
      const res = await ctx.req({ method: "GET", path: "/api/conversation" });
      expectError(res, 404, "route_not_found");
      const res2 = await ctx.req({ method: "GET", path: "/nope" });
      expectError(res2, 404, "route_not_found", "GET /nope");
      // Inventory (security.md #20): nothing outside the spec answers.
      for (const path of [
        "/api",
        "/api/admin",
        "/api/debug",
        "/openapi.json",
        "/api/agents/me/keys",
        "/api/auth",
      ]) {
        const probe = await ctx.req({ method: "GET", path });
        expectError(probe, 404, "route_not_found", `GET ${path}`);
      }
    },
  },
  {
    id: "method-not-allowed",
    ref: "limits",
    title: "a known path with the wrong method answers 405 method_not_allowed",
    async run(ctx) {
      const res = await ctx.req({ method: "PUT", path: "/api/conversations" });
      expectError(res, 405, "method_not_allowed");
      const res2 = await ctx.req({ method: "DELETE", path: "/api/auth/register" });
      expectError(res2, 405, "method_not_allowed", "DELETE /api/auth/register");
    },
  },
  {
    id: "malformed-path-id",
    ref: "IDs (spec: malformed path ids → 422)",
    title: "a path id that does not match its pattern answers 422 validation_failed, never 500",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({ method: "GET", path: "/api/conversations/abc", auth: a.token });
      expectError(res, 422, "validation_failed");
      const res2 = await ctx.req({ method: "GET", path: "/api/agents/agt_x", auth: a.token });
      expectError(res2, 422, "validation_failed", "GET /api/agents/agt_x");
    },
  },
]);
