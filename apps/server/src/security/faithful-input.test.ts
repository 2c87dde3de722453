import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGroup, send } from "../domains/chat/chat-fixtures.js";
import {
  createTestApp,
  registerAgent,
  type TestAgent,
  type TestApp,
  type TestResponse,
  uniqueHandle,
} from "../testing/index.js";

// Input the server would otherwise change silently or show misleadingly (issue 15, findings 6
// and 7): `__proto__` keys (JavaScript objects drop them) and display names or group titles that
// show nothing or reorder the text around them.

let t: TestApp;
let a: TestAgent;
let group: { id: string };
beforeAll(async () => {
  t = createTestApp();
  a = await registerAgent(t);
  group = await createGroup(t, a, []);
});
afterAll(async () => t.close());

function raw(path: string, body: string, method = "POST", token?: string): Promise<TestResponse> {
  return t.request(path, {
    method,
    body,
    headers: { "content-type": "application/json" },
    ...(token === undefined ? {} : { token }),
  });
}

function expectRefused(res: TestResponse, path: string, message?: RegExp) {
  expect(res.status, res.text).toBe(422);
  expect(res.body.error.code).toBe("validation_failed");
  const detail = res.body.error.details[0];
  expect(detail.path).toBe(path);
  if (message) expect(detail.message).toMatch(message);
}

describe("__proto__ keys (issue 15.6)", () => {
  const spellings = ['"__proto__"', '"\\u005f_proto__"', '"__pr\\u006fto__"'];

  it("refuses __proto__ in metadata, however spelled, instead of dropping it", async () => {
    for (const key of spellings) {
      const metadata = `{${key}:{"admin":true},"b":2}`;
      const me = await raw("/api/agents/me", `{"metadata":${metadata}}`, "PATCH", a.accessToken);
      expectRefused(me, "body.metadata.__proto__", /__proto__/);
      const path = `/api/conversations/${group.id}/messages`;
      const sent = await raw(path, `{"content":"x","metadata":${metadata}}`, "POST", a.accessToken);
      expectRefused(sent, "body.metadata.__proto__", /__proto__/);
      const nested = `{"metadata":{"a":[{"b":{${key}:1}}]}}`;
      const deep = await raw("/api/agents/me", nested, "PATCH", a.accessToken);
      expectRefused(deep, "body.metadata.a.0.b.__proto__", /__proto__/);
    }
    const me = await t.request("/api/agents/me", { token: a.accessToken });
    expect(me.body.metadata).toEqual({});
  });

  it("refuses __proto__ as a top-level body field on anonymous routes too", async () => {
    const res = await raw("/api/auth/register", `{"handle":"${uniqueHandle()}","__proto__":{}}`);
    expectRefused(res, "body.__proto__");
  });

  it("still stores look-alike keys and __proto__ as a string value faithfully", async () => {
    const metadata = { constructor: 1, prototype: { x: 1 }, __proto: 2, note: "__proto__" };
    const res = await t.request("/api/agents/me", {
      method: "PATCH",
      token: a.accessToken,
      json: { metadata },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.metadata).toEqual(metadata);
  });

  it("answers 422 to ?__proto__= like any other unknown query parameter", async () => {
    for (const query of ["__proto__=1", "__proto__[x]=1", "limit=5&__proto__=1", "zz=1"]) {
      const res = await t.request(`/api/auth/sessions?${query}`, { token: a.accessToken });
      expect(res.status, query).toBe(422);
      expect(res.body.error.details[0].path).toMatch(/^query\.(__proto__|zz)/);
    }
    const me = await t.request("/api/agents/me?__proto__=1", { token: a.accessToken });
    expectRefused(me, "query.__proto__");
  });
});

describe("display names and group titles (issue 15.7)", () => {
  const invisible = ["\u200b\u200b", "\u3164", "   ", "\u2800", "\u200d\ufe0f", "\u00ad", "\u0301"];
  const bidi = ["\u202egnp.exe", "abc\u2066def\u2069", "name\u200f", "\u061cx"];
  const controls = ["line\nbreak", "bell\u0007", "x\u0085", "nonchar\ufffe"];

  it("refuses names with no visible character, bidi controls or control characters", async () => {
    const cases: [string, RegExp][] = [
      ...invisible.map((n): [string, RegExp] => [n, /visible/]),
      ...bidi.map((n): [string, RegExp] => [n, /bidirectional/]),
      ...controls.map((n): [string, RegExp] => [n, /control/]),
    ];
    for (const [name, message] of cases) {
      const json = { display_name: name };
      const me = await t.request("/api/agents/me", { method: "PATCH", token: a.accessToken, json });
      expectRefused(me, "body.display_name", message);
      const reg = await t.request("/api/auth/register", {
        method: "POST",
        json: { handle: uniqueHandle(), display_name: name },
      });
      expectRefused(reg, "body.display_name", message);
      const created = await t.request("/api/conversations", {
        method: "POST",
        token: a.accessToken,
        json: { type: "group", title: name, member_ids: [] },
      });
      expectRefused(created, "body.title", message);
      const renamed = await t.request(`/api/conversations/${group.id}`, {
        method: "PATCH",
        token: a.accessToken,
        json: { title: name },
      });
      expectRefused(renamed, "body.title", message);
    }
    const me = await t.request("/api/agents/me", { token: a.accessToken });
    expect(me.body.display_name).toBe(a.agent.display_name);
  });

  it("keeps accepting real names in any script, with emoji and inner spaces", async () => {
    for (const name of [
      "Ada Lovelace",
      "محمد",
      "שלום עולם",
      "李小龙",
      "e\u0301cole",
      "🤖 bot",
      "👨‍👩‍👧",
    ]) {
      const me = await t.request("/api/agents/me", {
        method: "PATCH",
        token: a.accessToken,
        json: { display_name: name },
      });
      expect(me.status, name).toBe(200);
      expect(me.body.display_name).toBe(name);
      const renamed = await t.request(`/api/conversations/${group.id}`, {
        method: "PATCH",
        token: a.accessToken,
        json: { title: name },
      });
      expect(renamed.status, name).toBe(200);
      expect(renamed.body.title).toBe(name);
    }
    await send(t, a, group.id, "still works");
  });
});
