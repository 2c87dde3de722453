import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createGroup, send } from "../domains/chat/chat-fixtures.js";
import {
  createTestApp,
  registerAgent,
  type TestAgent,
  type TestApp,
  type TestResponse,
} from "../testing/index.js";

// Attacker-controlled nesting (issue 15, finding 1): deep JSON overflowed the stack of the
// recursive text walk and of the metadata size check (500 internal_error, one stack trace logged
// per request, unauthenticated). Every depth now gets a 4xx in the error envelope, nothing logged.

let t: TestApp;
let a: TestAgent;
let group: { id: string };
let message: { id: string };
/** Internal errors are reported with console.error (the app's default reporter). */
const reported = vi.spyOn(console, "error");
beforeAll(async () => {
  t = createTestApp();
  a = await registerAgent(t);
  group = await createGroup(t, a, []);
  message = await send(t, a, group.id, "hello");
});
afterAll(async () => {
  reported.mockRestore();
  await t.close();
});

const arrays = (depth: number, inner = "1") => "[".repeat(depth) + inner + "]".repeat(depth);
const objects = (depth: number, inner = "1") => '{"a":'.repeat(depth) + inner + "}".repeat(depth);

function raw(path: string, body: string, method = "POST", token?: string): Promise<TestResponse> {
  return t.request(path, {
    method,
    body,
    headers: { "content-type": "application/json" },
    ...(token === undefined ? {} : { token }),
  });
}

function expectRefused(res: TestResponse, path: string, message: RegExp) {
  expect(res.status, res.text).toBe(422);
  expect(res.body.error.code).toBe("validation_failed");
  expect(res.body.error.details).toEqual([{ path, message: expect.stringMatching(message) }]);
}

describe("deeply nested JSON (issue 15.1)", () => {
  it("answers 422 to a ~10 KB body nested 5,000 deep on the unauthenticated auth routes", async () => {
    const cases: [string, string][] = [
      ["/api/auth/token", "api_key"],
      ["/api/auth/register", "handle"],
      ["/api/auth/recover", "recovery_key"],
    ];
    for (const [path, field] of cases) {
      // Plain, and with an escape that sends the body through the text walk.
      for (const inner of ["1", '"\\u0000"', '{"__proto__":1}']) {
        const res = await raw(path, `{"${field}":${arrays(5000, inner)}}`);
        expectRefused(res, `body.${field}`, /at most 64 levels/);
      }
    }
    const top = await raw("/api/auth/token", arrays(5000));
    expectRefused(top, "body", /at most 64 levels/);
    expect(reported).not.toHaveBeenCalled();
  });

  it("answers 422 to metadata nested 10,000 deep on message send, message edit and PATCH /agents/me", async () => {
    const messages = `/api/conversations/${group.id}/messages`;
    const deep = [objects(10_000), `{"x":${arrays(10_000)}}`];
    for (const metadata of deep) {
      const body = `{"content":"hi","metadata":${metadata}}`;
      expectRefused(await raw(messages, body, "POST", a.accessToken), "body.metadata", /64/);
      const edit = `${messages}/${message.id}`;
      const patched = await raw(edit, `{"metadata":${metadata}}`, "PATCH", a.accessToken);
      expectRefused(patched, "body.metadata", /64/);
      const me = await raw("/api/agents/me", `{"metadata":${metadata}}`, "PATCH", a.accessToken);
      expectRefused(me, "body.metadata", /64/);
    }
    expect(reported).not.toHaveBeenCalled();
  });

  it("accepts metadata nested exactly 32 levels and refuses 33 (the documented limit)", async () => {
    const at = (depth: number) => `{"metadata":${objects(depth - 1, "{}")}}`;
    const ok = await raw("/api/agents/me", at(32), "PATCH", a.accessToken);
    expect(ok.status, ok.text).toBe(200);
    expect(JSON.stringify(ok.body.metadata)).toBe(objects(31, "{}"));
    const again = await t.request("/api/agents/me", { token: a.accessToken });
    expect(again.body.metadata).toEqual(ok.body.metadata);
    const over = await raw("/api/agents/me", at(33), "PATCH", a.accessToken);
    expectRefused(over, "body.metadata", /at most 32 levels/);
    // Arrays count as levels too, and on messages the same limit applies.
    const list = `{"content":"x","metadata":{"a":${arrays(32, "1")}}}`;
    const sent = await raw(`/api/conversations/${group.id}/messages`, list, "POST", a.accessToken);
    expectRefused(sent, "body.metadata", /at most 32 levels/);
    // The refused update changed nothing.
    const after = await t.request("/api/agents/me", { token: a.accessToken });
    expect(after.body.metadata).toEqual(ok.body.metadata);
  });

  it("keeps brackets inside strings out of the count", async () => {
    const content = "[".repeat(5000);
    const body = JSON.stringify({ content, metadata: { note: "{".repeat(1000) } });
    const res = await raw(`/api/conversations/${group.id}/messages`, body, "POST", a.accessToken);
    expect(res.status, res.text).toBe(201);
    expect(res.body.content).toBe(content);
  });
});
