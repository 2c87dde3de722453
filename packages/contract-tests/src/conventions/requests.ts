import { ensure, expectEqual, expectError, expectStatus } from "../core/expect.js";
import { defineRules } from "../core/rule.js";
import { breakChecksum, hasValidChecksum } from "../core/secrets.js";

const section = "api.md §1 Conventions";

/**
 * A server may answer 413 before reading the whole upload; the connection then holds unread bytes,
 * so the suite asks for it to be closed rather than reused by the next check.
 */
const closeAfter = { connection: "close" };

/** Request ids, body limits and secret format. */
export const requestRules = defineRules("conventions", section, [
  {
    id: "request-id-echo",
    ref: "request ids",
    title: "an incoming X-Request-Id of sane shape is echoed; an insane one is replaced by req_…",
    async run(ctx) {
      const mine = `contract.${Date.now()}:abc-1`;
      const res = await ctx.req({
        method: "GET",
        path: "/health",
        headers: { "x-request-id": mine },
      });
      expectEqual(res.header("x-request-id"), mine, "X-Request-Id on /health", res);
      const err = await ctx.req({
        method: "GET",
        path: "/api/agents/me",
        headers: { "x-request-id": mine },
      });
      expectEqual(err.header("x-request-id"), mine, "X-Request-Id on a 401", err);
      const bad = await ctx.req({
        method: "GET",
        path: "/health",
        headers: { "x-request-id": "has spaces <script>" },
      });
      ensure(
        /^req_[0-9a-hjkmnp-tv-z]{26}$/.test(bad.header("x-request-id") ?? ""),
        `insane id not replaced: ${bad.header("x-request-id")}`,
        bad,
      );
    },
  },
  {
    id: "payload-too-large",
    ref: "limits",
    title: "a body over 64 KiB answers 413 payload_too_large",
    async run(ctx) {
      const body = JSON.stringify({ handle: "big-body", description: "x".repeat(70 * 1024) });
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/register",
        rawBody: body,
        headers: closeAfter,
      });
      expectError(res, 413, "payload_too_large");
    },
  },
  {
    id: "payload-too-large-chunked",
    ref: "limits (security.md #14)",
    title: "a chunked body over 64 KiB without Content-Length also answers 413",
    async run(ctx) {
      const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0)
            controller.enqueue(new TextEncoder().encode('{"handle":"chunked","description":"'));
          if (sent >= 8) {
            controller.enqueue(new TextEncoder().encode('"}'));
            controller.close();
            return;
          }
          sent++;
          controller.enqueue(chunk);
        },
      });
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/register",
        rawBody: stream,
        headers: closeAfter,
      });
      expectError(res, 413, "payload_too_large");
    },
  },
  {
    id: "secret-format",
    ref: "secrets",
    title:
      "api keys and recovery keys are fxk_/fxr_ + 32 base62 + a valid 6-char base62 CRC32 checksum",
    async run(ctx) {
      const a = await ctx.agent();
      ensure(
        /^fxk_[0-9A-Za-z]{38}$/.test(a.apiKey) && hasValidChecksum(a.apiKey),
        "api key checksum does not verify",
      );
      ensure(
        /^fxr_[0-9A-Za-z]{38}$/.test(a.recoveryKey) && hasValidChecksum(a.recoveryKey),
        "recovery key checksum does not verify",
      );
    },
  },
  {
    id: "secret-bad-checksum",
    ref: "secrets",
    title:
      "a secret with a bad checksum is refused: token exchange answers 401 invalid_credentials",
    async run(ctx) {
      const a = await ctx.agent();
      const res = await ctx.req({
        method: "POST",
        path: "/api/auth/token",
        body: { api_key: breakChecksum(a.apiKey) },
      });
      expectError(res, 401, "invalid_credentials");
      const ok = await ctx.req({
        method: "POST",
        path: "/api/auth/token",
        body: { api_key: a.apiKey },
      });
      expectStatus(ok, 200, "the same key with its checksum intact");
    },
  },
  {
    id: "bodiless-posts",
    ref: "spec: POSTs without input accept no body or {}",
    title:
      "refresh, logout, recovery-key rotation and leave accept a POST with no body and no Content-Type, and one with {}",
    async run(ctx) {
      const [a, b] = await ctx.agents(2);
      const group = await ctx.req({
        method: "POST",
        path: "/api/conversations",
        auth: a.token,
        body: { type: "group", title: "bodiless", member_ids: [b.id] },
      });
      expectStatus(group, 201, "creating a group");
      const second = await ctx.sdk().auth.exchangeToken(a.apiKey);
      const calls: Array<[string, string, number]> = [
        ["/api/auth/refresh", a.token, 200],
        ["/api/auth/recovery-key/rotate", a.recoveryKey, 200],
        [`/api/conversations/${group.json.id}/leave`, b.token, 204],
        ["/api/auth/logout", second.access_token, 204],
      ];
      for (const [path, auth, status] of calls) {
        const res = await ctx.req({ method: "POST", path, auth, raw: true });
        expectStatus(res, status, `POST ${path.replace(group.json.id, "{id}")} with no body`);
      }
      const rotated = await ctx.req({
        method: "POST",
        path: "/api/auth/recovery-key/rotate",
        auth: a.recoveryKey,
        raw: true,
      });
      expectError(rotated, 401, "invalid_credentials", "rotating with the already-rotated key");
      const withEmpty = await ctx.req({
        method: "POST",
        path: "/api/auth/refresh",
        auth: a.token,
        body: {},
        raw: true,
      });
      expectStatus(withEmpty, 200, "POST /api/auth/refresh with {}");
    },
  },
]);
