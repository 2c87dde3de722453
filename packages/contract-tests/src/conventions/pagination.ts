import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";

const section = "api.md §1 Conventions · pagination";

/** Query `limit` and opaque `cursor` on every list. */
export const paginationRules = defineRules("conventions", section, [
  {
    id: "pagination-limit-range",
    title: "limit outside 1–100 (0, 101, 100000, -1, abc) answers 422, never clamped",
    async run(ctx) {
      const a = await ctx.agent();
      for (const limit of ["0", "101", "100000", "-1", "abc"]) {
        const res = await ctx.req({
          method: "GET",
          path: "/api/auth/api-keys",
          auth: a.token,
          query: { limit },
        });
        expectError(res, 422, "validation_failed", `limit=${limit}`);
      }
      const ok = await ctx.req({
        method: "GET",
        path: "/api/auth/api-keys",
        auth: a.token,
        query: { limit: 100 },
      });
      expectStatus(ok, 200, "limit=100");
    },
  },
  {
    id: "pagination-foreign-cursor",
    title: "a cursor the server did not issue (forged, truncated) answers 422 validation_failed",
    async run(ctx) {
      const a = await ctx.agent();
      for (let i = 0; i < 3; i++) {
        const r = await ctx.req({
          method: "POST",
          path: "/api/auth/api-keys",
          auth: a.token,
          body: { name: `p${i}` },
        });
        expectStatus(r, 201);
      }
      const page = await ctx.req({
        method: "GET",
        path: "/api/auth/api-keys",
        auth: a.token,
        query: { limit: 1 },
      });
      expectStatus(page, 200);
      const cursor: string = page.json.next_cursor;
      ensure(typeof cursor === "string", "expected a next_cursor with 4 keys and limit=1", page);
      for (const forged of ["not-a-cursor", cursor.slice(0, -3), `${cursor}x`]) {
        const res = await ctx.req({
          method: "GET",
          path: "/api/auth/api-keys",
          auth: a.token,
          query: { cursor: forged },
        });
        expectError(res, 422, "validation_failed", `cursor=${forged}`);
      }
    },
  },
  {
    id: "pagination-walk",
    title: "walking next_cursor visits every item once, in order; the last page has has_more=false",
    async run(ctx) {
      const a = await ctx.agent();
      const created = [a.apiKeyId];
      for (let i = 0; i < 4; i++) {
        created.push((await a.client.auth.createApiKey({ name: `w${i}` })).key.id);
      }
      const seen: string[] = [];
      let pages = 0;
      // Through the SDK's paginator: dogfoods `for await` over pages.
      for await (const page of a.client.auth.listApiKeys({ limit: 2 }).pages()) {
        pages++;
        seen.push(...page.data.map((k) => k.id));
      }
      expectEqual(seen, [...created].reverse(), "api keys newest first across pages");
      expectEqual(pages, 3, "pages of 2 for 5 keys");
    },
  },
]);
