import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGroup } from "../domains/chat/chat-fixtures.js";
import { createTestApp, registerAgent, type TestAgent, type TestApp } from "../testing/index.js";

// Text no database stores faithfully: U+0000 (PostgreSQL refuses it in text: it was a 500 on
// that backend) and unpaired surrogates (SQLite turned them into U+FFFD silently). Both
// backends now answer 422 at the field; everything else, emoji included, is stored as sent.

let t: TestApp;
let a: TestAgent;
let group: { id: string };
beforeAll(async () => {
  t = createTestApp();
  a = await registerAgent(t);
  group = await createGroup(t, a);
});
afterAll(async () => t.close());

describe("unstorable text", () => {
  it("NUL or a lone surrogate anywhere in a body or query → 422 at its path; nothing stored", async () => {
    const m = `/api/conversations/${group.id}/messages`;
    const cases: [string, string, unknown, string][] = [
      ["POST", m, { content: "a\u0000b" }, "body.content"],
      ["POST", m, { content: "a\ud800b" }, "body.content"],
      ["POST", m, { content: "x", metadata: { k: "a\u0000" } }, "body.metadata.k"],
      ["POST", m, { content: "x", metadata: { "k\u0000": 1 } }, "body.metadata.k\u0000"],
      ["POST", m, { content: "x", metadata: { list: ["ok", "\udc00"] } }, "body.metadata.list.1"],
      ["PATCH", "/api/agents/me", { display_name: "a\u0000b" }, "body.display_name"],
      ["PATCH", "/api/agents/me", { description: "\ud800" }, "body.description"],
      ["PATCH", `/api/conversations/${group.id}`, { title: "t\u0000" }, "body.title"],
      ["POST", "/api/auth/api-keys", { name: "n\u0000" }, "body.name"],
      ["POST", "/api/conversations", { type: "group", title: "\u0000" }, "body.title"],
      [
        "POST",
        "/api/auth/register",
        { handle: "nul-test", display_name: "\u0000" },
        "body.display_name",
      ],
    ];
    for (const [method, path, json, at] of cases) {
      const res = await t.request(path, { method, token: a.accessToken, json });
      expect(res.status, `${method} ${path} ${at}`).toBe(422);
      expect(res.body.error.details[0].path).toBe(at);
    }
    const q = await t.request("/api/agents?q=a%00", { token: a.accessToken });
    expect([q.status, q.body.error.details[0].path]).toEqual([422, "query.q"]);
    const messages = await t.request(m, { token: a.accessToken });
    expect(messages.body.data).toEqual([]);
    const me = await t.request("/api/agents/me", { token: a.accessToken });
    expect(me.body.display_name).toBe(a.handle);
  });

  it("stores paired surrogates (emoji) and an escaped backslash-u0000 as sent", async () => {
    const content = 'emoji \ud83d\ude00 and a literal \\u0000 and "\\ud800"';
    const sent = await t.request(`/api/conversations/${group.id}/messages`, {
      method: "POST",
      token: a.accessToken,
      json: { content, metadata: { note: "\\u0000" } },
    });
    expect(sent.status).toBe(201);
    const read = await t.request(`/api/conversations/${group.id}/messages/${sent.body.id}`, {
      token: a.accessToken,
    });
    expect(read.body.content).toBe(content);
    expect(read.body.metadata).toEqual({ note: "\\u0000" });
  });
});
