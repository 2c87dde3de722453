import { randomUUID } from "node:crypto";
import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";

const section = "api.md §1 Conventions · idempotency";

/** `Idempotency-Key` on POSTs. */
export const idempotencyRules = defineRules("conventions", section, [
  {
    id: "idempotency-replay",
    title:
      "a retry with the same key and body replays the stored status and body (Idempotent-Replayed: true), creating nothing",
    async run(ctx) {
      const a = await ctx.agent();
      const key = randomUUID();
      const send = () =>
        ctx.req({
          method: "POST",
          path: "/api/auth/api-keys",
          auth: a.token,
          headers: { "idempotency-key": key },
          body: { name: "once" },
        });
      const first = await send();
      expectStatus(first, 201);
      ensure(
        first.header("idempotent-replayed") === undefined,
        "first response marked as replayed",
        first,
      );
      const second = await send();
      expectStatus(second, 201, "the retry");
      expectEqual(second.json, first.json, "replayed body", second);
      expectEqual(second.header("idempotent-replayed"), "true", "Idempotent-Replayed", second);
      const list = await ctx.req({ method: "GET", path: "/api/auth/api-keys", auth: a.token });
      expectEqual(
        list.json.data.length,
        2,
        "api keys after a replayed create (1 initial + 1)",
        list,
      );
    },
  },
  {
    id: "idempotency-key-reused",
    title: "the same key with a different body answers 422 idempotency_key_reused",
    async run(ctx) {
      const a = await ctx.agent();
      const key = randomUUID();
      const first = await ctx.req({
        method: "POST",
        path: "/api/auth/api-keys",
        auth: a.token,
        headers: { "idempotency-key": key },
        body: { name: "one" },
      });
      expectStatus(first, 201);
      const other = await ctx.req({
        method: "POST",
        path: "/api/auth/api-keys",
        auth: a.token,
        headers: { "idempotency-key": key },
        body: { name: "two" },
      });
      expectError(other, 422, "idempotency_key_reused");
    },
  },
  {
    id: "idempotency-scoped-per-caller",
    title:
      "keys are scoped per caller: another agent using the same key gets its own result, not a replay",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const key = randomUUID();
      const ra = await ctx.req({
        method: "POST",
        path: "/api/auth/api-keys",
        auth: a.token,
        headers: { "idempotency-key": key },
        body: { name: "same" },
      });
      const rb = await ctx.req({
        method: "POST",
        path: "/api/auth/api-keys",
        auth: b.token,
        headers: { "idempotency-key": key },
        body: { name: "same" },
      });
      expectStatus(ra, 201);
      expectStatus(rb, 201);
      ensure(
        rb.header("idempotent-replayed") === undefined,
        "B's request was answered with A's replay",
        rb,
      );
      ensure(ra.json.key.id !== rb.json.key.id, "B got A's api key", rb);
    },
  },
  {
    id: "idempotency-concurrent",
    title:
      "concurrent requests with one key create one resource; the others replay it or answer 409 idempotency_in_progress",
    async run(ctx) {
      const a = await ctx.agent();
      const key = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          ctx.req({
            method: "POST",
            path: "/api/auth/api-keys",
            auth: a.token,
            headers: { "idempotency-key": key },
            body: { name: "race" },
          }),
        ),
      );
      const ids = new Set<string>();
      for (const r of results) {
        if (r.status === 409) expectError(r, 409, "idempotency_in_progress", "a concurrent retry");
        else {
          expectStatus(r, 201, "a concurrent retry");
          ids.add(r.json.key.id);
        }
      }
      expectEqual(ids.size, 1, "distinct api keys created by one idempotency key");
    },
  },
  {
    id: "idempotency-key-format",
    title: "an Idempotency-Key over 255 characters answers 422 validation_failed",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/api-keys",
        auth: a.token,
        headers: { "idempotency-key": "k".repeat(256) },
        body: { name: "long" },
      });
      expectError(res, 422, "validation_failed");
    },
  },
  {
    id: "idempotency-failures-not-stored",
    ref: "spec: only 2xx responses are stored",
    title:
      "a failed request is not stored: its retry is re-executed (no replay), and the key then works with a fixed body",
    async run(ctx) {
      const a = await ctx.agent();
      const key = randomUUID();
      const headers = { "idempotency-key": key };
      const taken = await ctx.req({
        method: "POST",
        path: "/api/auth/register",
        headers,
        body: { handle: a.handle },
      });
      expectError(taken, 409, "handle_taken");
      const retry = await ctx.req({
        method: "POST",
        path: "/api/auth/register",
        headers,
        body: { handle: a.handle },
      });
      expectError(retry, 409, "handle_taken", "the retry");
      ensure(
        retry.header("idempotent-replayed") === undefined,
        "a failed (409) response was stored and replayed",
        retry,
      );
      const past = "2020-01-01T00:00:00.000Z";
      const bad = await ctx.req({
        method: "POST",
        path: "/api/auth/api-keys",
        auth: a.token,
        headers,
        body: { name: "fix", expires_at: past },
      });
      expectError(bad, 422, "validation_failed", "expires_at in the past");
      const fixed = await ctx.req({
        method: "POST",
        path: "/api/auth/api-keys",
        auth: a.token,
        headers,
        body: { name: "fix" },
      });
      expectStatus(fixed, 201, "the same key with the body fixed");
    },
  },
]);
