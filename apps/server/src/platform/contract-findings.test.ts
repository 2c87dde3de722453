import { request as httpRequest } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  checkedResponse,
  createTestApp,
  loadSpec,
  registerAgent,
  type TestAgent,
  type TestApp,
} from "../testing/index.js";

// Regression tests for the findings of the contract suite (notes/contract-findings.md).

let t: TestApp;
let a: TestAgent;
beforeEach(async () => {
  t = createTestApp();
  a = await registerAgent(t);
});
afterEach(async () => t.close());

describe("idempotency stores only 2xx", () => {
  it("a 409 is not replayed: the retry runs again and carries its own request id", async () => {
    const send = (requestId: string) =>
      t.request("/api/auth/register", {
        method: "POST",
        json: { handle: a.handle },
        headers: { "Idempotency-Key": "taken", "X-Request-Id": requestId },
      });
    const first = await send("first-try");
    const retry = await send("second-try");
    expect(first.status).toBe(409);
    expect(retry.status).toBe(409);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(retry.body.error.request_id).toBe("second-try");
    expect(retry.headers.get("x-request-id")).toBe("second-try");
  });

  it("a 403 is not stored: once the block is lifted the same key and body succeed", async () => {
    const b = await registerAgent(t);
    await t.request(`/api/blocks/agents/${a.id}`, { method: "PUT", token: b.accessToken });
    const open = () =>
      t.request("/api/conversations", {
        method: "POST",
        token: a.accessToken,
        json: { type: "direct", agent_id: b.id },
        headers: { "Idempotency-Key": "dm" },
      });
    expect((await open()).status).toBe(403);
    await t.request(`/api/blocks/agents/${a.id}`, { method: "DELETE", token: b.accessToken });
    const retry = await open();
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
  });

  it("a replayed 2xx carries this request's X-Request-Id, not the first one's", async () => {
    const send = (requestId: string) =>
      t.request("/api/auth/api-keys", {
        method: "POST",
        token: a.accessToken,
        json: { name: "ci" },
        headers: { "Idempotency-Key": "k", "X-Request-Id": requestId },
      });
    await send("one");
    const replay = await send("two");
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.headers.get("x-request-id")).toBe("two");
  });
});

describe("unknown query parameters", () => {
  it("GET /api/agents/me?verbose=1 → 422 at query.verbose", async () => {
    const res = await t.request("/api/agents/me?verbose=1", { token: a.accessToken });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toContainEqual(
      expect.objectContaining({ path: "query.verbose" }),
    );
  });

  it("every /api operation refuses an undeclared query parameter; /health ignores it", async () => {
    const spec = loadSpec() as { paths: Record<string, Record<string, { operationId: string }>> };
    const ids: Record<string, string> = {
      key_id: "key_00000000000000000000000000",
      session_id: "ses_00000000000000000000000000",
      agent_id: a.id,
      conversation_id: "cnv_00000000000000000000000000",
      message_id: "msg_00000000000000000000000000",
    };
    let checked = 0;
    for (const [template, ops] of Object.entries(spec.paths)) {
      if (!template.startsWith("/api/")) continue;
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] as string);
      for (const method of Object.keys(ops)) {
        const op = ops[method] as { operationId: string };
        const recoveryOnly = ["rotateRecoveryKey", "deactivateMe"].includes(op.operationId);
        const res = await t.request(`${path}?zz_unknown=1`, {
          method: method.toUpperCase(),
          token: recoveryOnly ? a.recoveryKey : a.accessToken,
          ...(method === "get" || method === "delete" ? {} : { json: {} }),
        });
        expect(res.status, `${method} ${template}`).toBe(422);
        expect(res.body.error.details, op.operationId).toContainEqual(
          expect.objectContaining({ path: "query.zz_unknown" }),
        );
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect((await t.request("/health?verbose=1")).status).toBe(200);
  });
});

/** A POST over real HTTP with exactly the given headers (no body, maybe no Content-Length). */
function rawPost(baseUrl: string, path: string, headers: Record<string, string>) {
  return new Promise<Response>((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${path}`, { method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") out.set(k, v);
        resolve(
          new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), {
            status: res.statusCode ?? 0,
            headers: out,
          }),
        );
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("bodiless POSTs (accept no body or {})", () => {
  it("work without Content-Type, with Content-Length: 0 or none at all, over real HTTP", async () => {
    const http = await t.listen();
    const b = await registerAgent(t);
    const group = await t.request("/api/conversations", {
      method: "POST",
      token: a.accessToken,
      json: { type: "group", title: "g", member_ids: [b.id] },
    });
    const variants: Record<string, string>[] = [{ "content-length": "0" }, {}];
    for (const extra of variants) {
      const refresh = await rawPost(http.baseUrl, "/api/auth/refresh", {
        authorization: `Bearer ${a.accessToken}`,
        ...extra,
      });
      const refreshed = await checkedResponse("POST", "/api/auth/refresh", refresh);
      expect(refreshed.status, JSON.stringify(extra)).toBe(200);
      const rotate = await rawPost(http.baseUrl, "/api/auth/recovery-key/rotate", {
        authorization: `Bearer ${a.recoveryKey}`,
        ...extra,
      });
      const rotated = await checkedResponse("POST", "/api/auth/recovery-key/rotate", rotate);
      expect(rotated.status).toBe(200);
      a.recoveryKey = rotated.body.recovery_key;
    }
    // fetch without a Content-Type sends Content-Length: 0.
    const leave = await http.fetch(`/api/conversations/${group.body.id}/leave`, {
      method: "POST",
      token: b.accessToken,
    });
    expect(leave.status).toBe(204);
    const logout = await rawPost(http.baseUrl, "/api/auth/logout", {
      authorization: `Bearer ${a.accessToken}`,
    });
    expect((await checkedResponse("POST", "/api/auth/logout", logout)).status).toBe(204);
  });

  it("an empty body with a JSON Content-Type is no input; a field or broken JSON is not", async () => {
    const send = (body: string) =>
      t.request("/api/auth/refresh", {
        method: "POST",
        token: a.accessToken,
        body,
        headers: { "content-type": "application/json" },
      });
    expect((await send("")).status).toBe(200);
    expect((await send("  \n")).status).toBe(200);
    expect((await send("{}")).status).toBe(200);
    expect((await send('{"x":1}')).status).toBe(422);
    expect((await send("{")).status).toBe(400);
  });
});
