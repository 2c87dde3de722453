import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getToken, registerAgent, type TestApp, type TestResponse } from "../testing/index.js";
import { deref, loadSpec } from "../testing/spec.js";
import { createTestApp, specValidator } from "../testing/test-app.js";

// Threat 5 of security.md (OWASP API3, data exposure): a scenario that calls every operation;
// every response body collected is walked key by key against the spec's schema, and every
// secret must appear exactly once, in the response that shows it.

interface Seen {
  method: string;
  path: string;
  operationId: string;
  res: TestResponse;
}

let t: TestApp;
const seen: Seen[] = [];
const showsSecret = ["registerAgent", "createApiKey", "rotateRecoveryKey", "recoverAccount"];
const showsToken = ["exchangeToken", "refreshToken"];

const recorder = {
  async request(path: string, init: Parameters<TestApp["request"]>[1] = {}) {
    const res = await t.request(path, init);
    const method = init.method ?? "GET";
    const bare = path.split("?")[0] as string;
    const op = specValidator().findOperation(method, bare);
    seen.push({ method, path: bare, operationId: op?.operation.operationId ?? "?", res });
    return res;
  },
};
const call = (method: string, path: string, token?: string, json?: unknown) =>
  recorder.request(path, {
    method,
    ...(token === undefined ? {} : { token }),
    ...(json === undefined ? {} : { json }),
  });

/** Runs every operation of the spec at least once, successes and a few refusals. */
async function scenario() {
  const a = await registerAgent(recorder, { handle: "shape-alice", tags: ["x"] });
  const b = await registerAgent(recorder, { handle: "shape-bob" });
  const c = await registerAgent(recorder, { handle: "shape-carol" });
  await call("GET", "/health");
  await call("GET", "/api/auth/jwks.json");
  const second = await call("POST", "/api/auth/api-keys", a.accessToken, { name: "second" });
  await call("GET", "/api/auth/api-keys", a.accessToken);
  const other = await getToken(recorder, second.body.api_key);
  await call("GET", "/api/auth/session", a.accessToken);
  await call("GET", "/api/auth/sessions", a.accessToken);
  const refreshed = await call("POST", "/api/auth/refresh", a.accessToken);
  const token = refreshed.body.access_token as string;
  await call("DELETE", `/api/auth/sessions/${other.sessionId}`, token);
  await call("DELETE", `/api/auth/api-keys/${second.body.key.id}`, token);
  await call("GET", "/api/agents/me", token);
  await call("PATCH", "/api/agents/me", token, { description: "d", metadata: { k: 1 } });
  await call("GET", `/api/agents/${b.id}`, token);
  await call("GET", "/api/agents/@shape-bob", token);
  await call("GET", "/api/agents?q=shape&limit=1", token);
  const feed = await call("GET", "/api/events", token);
  const dm = await call("POST", "/api/conversations", token, { type: "direct", agent_id: b.id });
  const g = await call("POST", "/api/conversations", token, {
    type: "group",
    title: "g",
    member_ids: [b.id],
  });
  const gid = g.body.id as string;
  await call("GET", "/api/conversations", token);
  await call("GET", `/api/conversations/${gid}`, token);
  await call("PATCH", `/api/conversations/${gid}`, token, { description: "about" });
  await call("POST", `/api/conversations/${gid}/members`, token, { agent_id: c.id });
  await call("GET", `/api/conversations/${gid}/members`, token);
  await call("PATCH", `/api/conversations/${gid}/members/${b.id}`, token, { role: "admin" });
  await call("DELETE", `/api/conversations/${gid}/members/${b.id}`, token);
  await call("POST", `/api/conversations/${gid}/leave`, c.accessToken);
  const m1 = await call("POST", `/api/conversations/${dm.body.id}/messages`, b.accessToken, {
    content: '{"a":1}',
    content_type: "application/json",
    metadata: { trace: "t" },
  });
  const m2 = await call("POST", `/api/conversations/${dm.body.id}/messages`, token, {
    content: "hi",
    reply_to_id: m1.body.id,
  });
  const msgs = `/api/conversations/${dm.body.id}/messages`;
  await call("GET", `${msgs}?limit=1`, token);
  await call("GET", `${msgs}/${m1.body.id}`, token);
  await call("PATCH", `${msgs}/${m2.body.id}`, token, { content: "hi!" });
  await call("DELETE", `${msgs}/${m2.body.id}`, token);
  await call("POST", `/api/conversations/${dm.body.id}/read`, token, { message_id: m1.body.id });
  // Every event type of the run above, in the feed's shape.
  await call("GET", `/api/events?cursor=${encodeURIComponent(feed.body.next_cursor)}`, token);
  await call("PUT", `/api/blocks/agents/${c.id}`, token);
  await call("PUT", `/api/blocks/conversations/${dm.body.id}`, token);
  await call("GET", "/api/blocks", token);
  await call("DELETE", `/api/blocks/agents/${c.id}`, token);
  await call("DELETE", `/api/blocks/conversations/${dm.body.id}`, token);
  const rotated = await call("POST", "/api/auth/recovery-key/rotate", a.recoveryKey);
  await call("POST", "/api/auth/recover", undefined, {
    agent_id: a.id,
    recovery_key: rotated.body.recovery_key,
  });
  await call("POST", "/api/auth/logout", b.accessToken);
  await call("DELETE", "/api/agents/me", c.recoveryKey);
  // Refusals are responses too.
  await call("GET", "/api/agents/me", b.accessToken);
  await call("POST", "/api/auth/token", undefined, { api_key: a.apiKey });
  await call("PATCH", "/api/agents/me", b.accessToken, { id: "x" });
  await call("GET", "/api/nope");
}

beforeAll(async () => {
  t = createTestApp();
  await scenario();
});
afterAll(async () => t.close());

type Schema = Record<string, unknown>;

/** Keys of `value` (recursively) that `schema` does not declare, as dotted paths. */
function undeclaredKeys(schema: unknown, value: unknown, at: string): string[] {
  const s = deref<Schema>(loadSpec(), schema);
  if (value === null || typeof value !== "object") return [];
  const branches = (s["oneOf"] ?? s["anyOf"]) as unknown[] | undefined;
  if (branches) {
    const results = branches.map((b) => undeclaredKeys(b, value, at));
    return results.find((r) => r.length === 0) ?? (results[0] as string[]);
  }
  const types = [s["type"] ?? []].flat();
  const kind = Array.isArray(value) ? "array" : "object";
  if (types.length > 0 && !types.includes(kind)) return [`${at} (not an ${kind} here)`];
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => undeclaredKeys(s["items"] ?? {}, item, `${at}.${i}`));
  }
  const properties = (s["properties"] ?? {}) as Record<string, unknown>;
  const free = s["additionalProperties"] !== false && s["properties"] === undefined;
  if (free) return []; // metadata: free-form by design
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) =>
    key in properties ? undeclaredKeys(properties[key], v, `${at}.${key}`) : [`${at}.${key}`],
  );
}

function responseSchema(s: Seen): unknown {
  const op = specValidator().findOperation(s.method, s.path);
  if (!op) return { $ref: "#/components/schemas/Error" }; // unknown route: the envelope
  const responses = (op?.operation.responses ?? {}) as Record<string, unknown>;
  const response = deref<Schema>(loadSpec(), responses[String(s.res.status)]);
  const content = response["content"] as Record<string, { schema: unknown }> | undefined;
  return content?.["application/json"]?.schema;
}

describe("response shapes over a full scenario", () => {
  it("called every operation of the spec with a 2xx", () => {
    const all = new Set<string>();
    for (const item of Object.values(loadSpec().paths)) {
      for (const op of Object.values(item)) if (op.operationId) all.add(op.operationId);
    }
    const succeeded = new Set(seen.filter((s) => s.res.status < 300).map((s) => s.operationId));
    expect([...all].filter((id) => !succeeded.has(id))).toEqual([]);
  });

  it("never sends a field the spec does not declare", () => {
    let bodies = 0;
    for (const s of seen) {
      if (s.res.body === undefined) continue;
      const schema = responseSchema(s);
      expect(schema, `${s.method} ${s.path} ${s.res.status}`).toBeDefined();
      expect(undeclaredKeys(schema, s.res.body, "body"), `${s.method} ${s.path}`).toEqual([]);
      bodies += 1;
    }
    expect(bodies).toBeGreaterThan(40);
    // The walker itself notices an extra field, deep inside a list too.
    const list = seen.find((x) => x.operationId === "listConversations") as Seen;
    const leaky = structuredClone(list.res.body);
    leaky.data[0].last_message = { ...leaky.data[0].last_message, author_hash: "x" };
    expect(undeclaredKeys(responseSchema(list), leaky, "body")).toEqual([
      "body.data.0.last_message.author_hash",
    ]);
  });

  it("never sends a hash or an internal-looking field", () => {
    for (const s of seen) {
      expect(s.res.text, `${s.method} ${s.path}`).not.toMatch(/\b[0-9a-f]{64}\b/i);
      expect(s.res.text, `${s.method} ${s.path}`).not.toMatch(
        /"[a-z_]*(hash|secret|password|salt|private|signing|internal)[a-z_]*"\s*:/i,
      );
      expect(s.res.text).not.toMatch(/"d"\s*:/); // no private JWK member
    }
  });

  it("shows each secret once, in the response that creates it, with no-store", () => {
    const where = new Map<string, Seen[]>();
    for (const s of seen) {
      const everything = `${s.res.text} ${[...s.res.headers.values()].join(" ")}`;
      for (const m of everything.matchAll(/fx[kr]_[0-9A-Za-z]{38}/g)) {
        where.set(m[0], [...(where.get(m[0]) ?? []), s]);
      }
      for (const m of s.res.text.matchAll(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g)) {
        expect(showsToken, `${m[0].slice(0, 12)}… in ${s.operationId}`).toContain(s.operationId);
      }
    }
    expect(where.size).toBeGreaterThanOrEqual(9);
    for (const [secret, list] of where) {
      expect(list.length, `${secret.slice(0, 8)}… shown ${list.length}×`).toBe(1);
      const [s] = list as [Seen];
      expect(showsSecret).toContain(s.operationId);
      expect(s.res.headers.get("cache-control")).toContain("no-store");
    }
  });
});
