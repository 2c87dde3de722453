import { ensure, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";
import { forgeSecret } from "../core/secrets.js";

const section = "api.md §1 Conventions · rate limits";

/**
 * Rate limits. A target may run with limits off (the suite needs that), so these checks accept
 * either: the headers must be sane, and any 429 must be complete.
 */
export const rateLimitRules = defineRules("conventions", section, [
  {
    id: "rate-limit-headers-sane",
    title:
      "RateLimit-Remaining ≤ RateLimit-Limit and RateLimit-Reset ≥ 0 on authenticated and anonymous routes",
    async run(ctx) {
      const a = await ctx.agent();
      for (const res of [
        await ctx.req({ method: "GET", path: "/api/agents/me", auth: a.token }),
        await ctx.req({ method: "GET", path: "/api/agents/me" }),
        await ctx.req({ method: "GET", path: "/api/auth/jwks.json" }),
      ]) {
        const limit = Number(res.header("ratelimit-limit"));
        const remaining = Number(res.header("ratelimit-remaining"));
        const reset = Number(res.header("ratelimit-reset"));
        ensure(
          Number.isInteger(limit) && Number.isInteger(remaining) && Number.isInteger(reset),
          "RateLimit-* headers missing or not integers",
          res,
        );
        ensure(
          remaining <= limit && reset >= 0,
          `Remaining ${remaining} > Limit ${limit} or negative Reset`,
          res,
        );
      }
    },
  },
  {
    id: "rate-limit-429",
    ref: "security.md #13",
    title:
      "a burst of bad token exchanges is either served or refused with a complete 429 (Retry-After, retry_after_ms)",
    async run(ctx) {
      for (let i = 0; i < 35; i++) {
        const res = await ctx.req({
          method: "POST",
          path: "/api/auth/token",
          body: { api_key: forgeSecret("fxk_") },
        });
        if (res.status === 429) {
          ensure(res.errorCode === "rate_limited", "429 without rate_limited", res);
          ensure(Number(res.header("retry-after")) >= 1, "429 without Retry-After ≥ 1", res);
          ensure(
            typeof res.json.error.retry_after_ms === "number",
            "429 without retry_after_ms",
            res,
          );
          return;
        }
        expectStatus(res, 401, "an unknown api key");
      }
    },
  },
]);
