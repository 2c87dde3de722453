/**
 * The fast lane (platform/fast-lane.ts) answers exactly like the Hono path: the same corpus of
 * requests (valid ones and every failure class) goes over real HTTP to two identical apps, one
 * served by @hono/node-server alone and one with the fast lane in front, and every response must
 * match in status, headers (but `Date`) and body, ids and cursors compared by order of first
 * appearance. Each case also states whether the lane serves it or hands it on, checked by the
 * lane's counters, so a lane that silently handed everything to Hono would fail.
 */
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigInput } from "../platform/config.js";
import { createTestApp, registerAgent, type TestAgent, type TestApp } from "../testing/index.js";
import { fastLaneOf, fastLaneServer } from "./fast-lane.js";

interface Side {
  t: TestApp;
  url: string;
  port: number;
  close: () => Promise<void>;
  /** Ids and values this side's earlier responses produced, by name. */
  vars: Record<string, string>;
  agents: Record<string, TestAgent>;
  ids: Map<string, string>;
}

async function listen(t: TestApp, lane: boolean): Promise<Side> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const options = { fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" };
    const s = serve(lane ? { ...options, createServer: fastLaneServer(t.app) } : options, () =>
      resolve(s),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    t,
    port,
    url: `http://127.0.0.1:${port}`,
    vars: {},
    agents: {},
    ids: new Map(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

const idPattern = /\b[a-z]{3}_[0-9a-hjkmnp-tv-z]{26}\b/g;
/** Access tokens (compact JWS): each side signs with its own key and its own jti. */
const tokenPattern = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g;
const cursorPattern = /"next_cursor":"([^"]+)"/g;

/** Ids, cursors and tokens of one side as `<n>`, by order of first appearance on that side. */
function normalize(side: Side, text: string): string {
  const name = (value: string) => {
    let n = side.ids.get(value);
    if (n === undefined) {
      n = `<${side.ids.size}>`;
      side.ids.set(value, n);
    }
    return n;
  };
  return text
    .replace(tokenPattern, name)
    .replace(cursorPattern, (_, cursor: string) => `"next_cursor":"${name(cursor)}"`)
    .replace(idPattern, name);
}

interface Case {
  name: string;
  /** Whether the lane serves it (true) or hands it to Hono (false). */
  fast: boolean;
  method?: string;
  path: (s: Side) => string;
  token?: (s: Side) => string | undefined;
  headers?: Record<string, string>;
  body?: string | ((s: Side) => string);
  /** Sends the body chunked (no Content-Length). */
  chunked?: boolean;
  /** Keeps values of the answer for later cases. */
  keep?: (s: Side, body: Record<string, unknown>) => void;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  raw: string;
}

function send(side: Side, c: Case, requestId: string | undefined): Promise<Answer> {
  const headers: Record<string, string> = { ...c.headers };
  if (requestId !== undefined) headers["x-request-id"] = requestId;
  const token = c.token?.(side);
  if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
  const body = typeof c.body === "function" ? c.body(side) : c.body;
  if (body !== undefined && !c.chunked) headers["content-length"] = String(Buffer.byteLength(body));
  if (c.chunked) headers["transfer-encoding"] = "chunked";
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: side.port,
        method: c.method ?? "GET",
        path: c.path(side),
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const out: Record<string, string> = {};
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = (res.rawHeaders[i] as string).toLowerCase();
            if (name !== "date") out[name] = res.rawHeaders[i + 1] as string;
          }
          const raw = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, headers: out, body: raw, raw });
        });
      },
    );
    req.on("error", reject);
    if (body !== undefined) {
      if (c.chunked) {
        req.write(body.slice(0, 5));
        req.write(body.slice(5));
      } else req.write(body);
    }
    req.end();
  });
}

/** Sends `c` to both sides and expects the same answer; returns the lane side's. */
async function compare(plain: Side, lane: Side, c: Case, requestId?: string): Promise<Answer> {
  const counts = fastLaneOf(lane.t.app)?.counts;
  const before = counts?.served ?? 0;
  const a = await send(plain, c, requestId);
  const b = await send(lane, c, requestId);
  expect({ case: c.name, served: (counts?.served ?? 0) - before }).toEqual({
    case: c.name,
    served: c.fast ? 1 : 0,
  });
  const norm = (side: Side, x: Answer) => ({
    case: c.name,
    status: x.status,
    headers: Object.fromEntries(Object.entries(x.headers).map(([k, v]) => [k, normalize(side, v)])),
    body: normalize(side, x.body),
  });
  expect(norm(lane, b)).toEqual(norm(plain, a));
  for (const [side, x] of [
    [plain, a],
    [lane, b],
  ] as const) {
    if (c.keep && x.status < 300 && x.body) c.keep(side, JSON.parse(x.body));
  }
  return b;
}

async function pair(config?: ConfigInput): Promise<[Side, Side]> {
  const options = config ? { config } : {};
  return [await listen(createTestApp(options), false), await listen(createTestApp(options), true)];
}

async function seed(side: Side): Promise<void> {
  const t = side.t;
  for (const name of ["alice", "bob", "carol", "dave"]) {
    side.agents[name] = await registerAgent(t, { handle: `fl_${name}` });
  }
  const [alice, bob, dave] = ["alice", "bob", "dave"].map((n) => side.agents[n] as TestAgent) as [
    TestAgent,
    TestAgent,
    TestAgent,
  ];
  const group = await t.request("/api/conversations", {
    method: "POST",
    token: alice.accessToken,
    json: { type: "group", title: "Lane", member_ids: [bob.id] },
  });
  side.vars["group"] = group.body.id;
  const direct = await t.request("/api/conversations", {
    method: "POST",
    token: alice.accessToken,
    json: { type: "direct", agent_id: dave.id },
  });
  side.vars["direct"] = direct.body.id;
  await t.request(`/api/blocks/agents/${dave.id}`, { method: "PUT", token: alice.accessToken });
  for (let i = 0; i < 5; i++) {
    await t.request(`/api/conversations/${side.vars["group"]}/messages`, {
      method: "POST",
      token: bob.accessToken,
      json: { content: `seed ${i}` },
    });
  }
  // Register the seeded ids in the same order on both sides.
  normalize(side, JSON.stringify([side.agents, side.vars]));
}

const json = { "content-type": "application/json" };
const agent = (name: string) => (s: Side) => (s.agents[name] as TestAgent).accessToken;
const alice = agent("alice");
const group = (s: Side) => `/api/conversations/${s.vars["group"]}`;
const messages = (s: Side) => `${group(s)}/messages`;

const corpus: Case[] = [
  {
    name: "send",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: json,
    body: '{"content":"hello"}',
    keep: (s, b) => {
      s.vars["message"] = b["id"] as string;
    },
  },
  {
    name: "send with every field",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: { "content-type": "application/json; charset=utf-8" },
    body: (s) =>
      JSON.stringify({
        content: "**hi** ✓",
        content_type: "text/markdown",
        reply_to_id: s.vars["message"],
        metadata: { a: [1, { b: null }] },
      }),
  },
  {
    name: "send with a byte order mark",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: json,
    body: '\ufeff{"content":"bom"}',
  },
  { name: "list messages", fast: true, path: messages, token: alice },
  {
    name: "list messages, page 1",
    fast: true,
    path: (s) => `${messages(s)}?limit=2`,
    token: alice,
    keep: (s, b) => {
      s.vars["cursor"] = b["next_cursor"] as string;
    },
  },
  {
    name: "list messages, page 2",
    fast: true,
    path: (s) => `${messages(s)}?limit=2&cursor=${s.vars["cursor"]}`,
    token: alice,
  },
  {
    name: "list messages after",
    fast: true,
    path: (s) => `${messages(s)}?after=${s.vars["message"]}`,
    token: alice,
  },
  {
    name: "list messages, before and after",
    fast: true,
    path: (s) => `${messages(s)}?after=${s.vars["message"]}&before=${s.vars["message"]}`,
    token: alice,
  },
  {
    name: "list messages, limit 0",
    fast: true,
    path: (s) => `${messages(s)}?limit=0`,
    token: alice,
  },
  {
    name: "list messages, limit twice",
    fast: true,
    path: (s) => `${messages(s)}?limit=2&limit=3`,
    token: alice,
  },
  {
    name: "list messages, unknown query",
    fast: true,
    path: (s) => `${messages(s)}?x`,
    token: alice,
  },
  {
    name: "list messages, a bad cursor",
    fast: true,
    path: (s) => `${messages(s)}?cursor=abc`,
    token: alice,
  },
  {
    name: "list messages, escaped query",
    fast: false,
    path: (s) => `${messages(s)}?limit=%32`,
    token: alice,
  },
  {
    name: "list messages, a NUL in the query",
    fast: false,
    path: (s) => `${messages(s)}?cursor=a%00b`,
    token: alice,
  },
  {
    name: "get message",
    fast: true,
    path: (s) => `${messages(s)}/${s.vars["message"]}`,
    token: alice,
  },
  {
    name: "get message, unknown",
    fast: true,
    path: (s) => `${messages(s)}/msg_00000000000000000000000000`,
    token: alice,
  },
  { name: "list conversations", fast: true, path: () => "/api/conversations", token: alice },
  {
    name: "list conversations, page 1",
    fast: true,
    path: () => "/api/conversations?limit=1",
    token: alice,
    keep: (s, b) => {
      s.vars["cursor"] = b["next_cursor"] as string;
    },
  },
  {
    name: "list conversations, page 2",
    fast: true,
    path: (s) => `/api/conversations?limit=1&cursor=${s.vars["cursor"]}`,
    token: alice,
  },
  { name: "get conversation", fast: true, path: group, token: alice },
  { name: "list members", fast: true, path: (s) => `${group(s)}/members`, token: alice },
  {
    name: "mark read",
    fast: true,
    method: "POST",
    path: (s) => `${group(s)}/read`,
    token: agent("bob"),
    headers: json,
    body: (s) => JSON.stringify({ message_id: s.vars["message"] }),
  },
  {
    name: "edit message",
    fast: true,
    method: "PATCH",
    path: (s) => `${messages(s)}/${s.vars["message"]}`,
    token: alice,
    headers: json,
    body: '{"content":"edited"}',
  },
  {
    name: "update conversation",
    fast: true,
    method: "PATCH",
    path: group,
    token: alice,
    headers: json,
    body: '{"title":"Renamed","description":null}',
  },
  {
    name: "add member",
    fast: true,
    method: "POST",
    path: (s) => `${group(s)}/members`,
    token: alice,
    headers: json,
    body: (s) => JSON.stringify({ agent_id: s.agents["carol"]?.id }),
  },
  {
    name: "update member",
    fast: true,
    method: "PATCH",
    path: (s) => `${group(s)}/members/${s.agents["carol"]?.id}`,
    token: alice,
    headers: json,
    body: '{"role":"admin"}',
  },
  {
    name: "remove member",
    fast: true,
    method: "DELETE",
    path: (s) => `${group(s)}/members/${s.agents["carol"]?.id}`,
    token: alice,
    headers: { "content-length": "0" },
  },
  {
    name: "delete message",
    fast: true,
    method: "DELETE",
    path: (s) => `${messages(s)}/${s.vars["message"]}`,
    token: alice,
    body: "",
  },
  {
    name: "create conversation",
    fast: true,
    method: "POST",
    path: () => "/api/conversations",
    token: alice,
    headers: json,
    body: (s) => JSON.stringify({ type: "direct", agent_id: s.agents["carol"]?.id }),
  },
  // Refused credentials.
  { name: "no token", fast: true, path: messages },
  { name: "empty Authorization", fast: true, path: messages, headers: { authorization: " " } },
  { name: "not Bearer", fast: true, path: messages, headers: { authorization: "Basic eDp5" } },
  { name: "invalid token", fast: true, path: messages, token: () => "abc.def.ghi" },
  {
    name: "an api key as token",
    fast: true,
    path: messages,
    token: (s) => s.agents["alice"]?.apiKey,
  },
  {
    name: "a recovery key as token",
    fast: true,
    path: messages,
    token: (s) => s.agents["alice"]?.recoveryKey,
  },
  // Bodies.
  {
    name: "wrong content type",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: { "content-type": "text/plain" },
    body: '{"content":"x"}',
  },
  {
    name: "no content type",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    body: '{"content":"x"}',
  },
  {
    name: "invalid JSON",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: json,
    body: '{"content":',
  },
  { name: "empty body", fast: true, method: "POST", path: messages, token: alice, body: "" },
  {
    name: "whitespace body with JSON type",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: json,
    body: "  ",
  },
  {
    name: "validation failures with details",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: json,
    body: '{"content":"","content_type":"image/png","metadata":[],"extra":1}',
  },
  {
    name: "a NUL in the body",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: json,
    body: '{"content":"a\\u0000b"}',
  },
  {
    name: "a __proto__ key",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: json,
    body: '{"content":"x","metadata":{"__proto__":{"a":1}}}',
  },
  {
    name: "oversize body",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: json,
    body: JSON.stringify({ content: "x".repeat(70_000) }),
  },
  {
    name: "chunked body",
    fast: false,
    method: "POST",
    path: messages,
    token: alice,
    headers: json,
    body: '{"content":"chunked"}',
    chunked: true,
  },
  // Refusals of the store and the handler.
  {
    name: "unknown conversation",
    fast: true,
    path: () => "/api/conversations/cnv_00000000000000000000000000/messages",
    token: alice,
  },
  {
    name: "malformed conversation id",
    fast: true,
    path: () => "/api/conversations/nope/messages",
    token: alice,
  },
  { name: "not a member", fast: true, path: messages, token: agent("dave") },
  {
    name: "blocked",
    fast: true,
    method: "POST",
    path: (s) => `/api/conversations/${s.vars["direct"]}/messages`,
    token: agent("dave"),
    headers: json,
    body: '{"content":"hi"}',
  },
  // The token exchange: anonymous, the same guard without authentication.
  {
    name: "token exchange",
    fast: true,
    method: "POST",
    path: () => "/api/auth/token",
    headers: json,
    body: (s) => JSON.stringify({ api_key: (s.agents["carol"] as TestAgent).apiKey }),
    keep: (s, b) => {
      s.vars["exchanged"] = b["access_token"] as string;
    },
  },
  {
    name: "the exchanged token works",
    fast: true,
    path: messages,
    token: (s) => s.vars["exchanged"],
  },
  {
    name: "token exchange, an unknown key",
    fast: true,
    method: "POST",
    path: () => "/api/auth/token",
    headers: json,
    body: (s) => {
      const key = (s.agents["carol"] as TestAgent).apiKey;
      return JSON.stringify({ api_key: `${key.slice(0, -6)}AAAAAA` });
    },
  },
  {
    name: "token exchange, a malformed key",
    fast: true,
    method: "POST",
    path: () => "/api/auth/token",
    headers: json,
    body: '{"api_key":"fxk_nope"}',
  },
  {
    name: "token exchange, an access token instead of a key",
    fast: true,
    method: "POST",
    path: () => "/api/auth/token",
    headers: json,
    body: (s) => JSON.stringify({ api_key: alice(s) }),
  },
  {
    name: "token exchange, no key",
    fast: true,
    method: "POST",
    path: () => "/api/auth/token",
    headers: json,
    body: '{"api_key":null,"extra":1}',
  },
  {
    name: "token exchange, not JSON",
    fast: true,
    method: "POST",
    path: () => "/api/auth/token",
    headers: json,
    body: "{api_key:",
  },
  {
    name: "token exchange, text/plain",
    fast: true,
    method: "POST",
    path: () => "/api/auth/token",
    headers: { "content-type": "text/plain" },
    body: '{"api_key":"x"}',
  },
  {
    name: "token exchange with an Idempotency-Key",
    fast: true,
    method: "POST",
    path: () => "/api/auth/token",
    headers: { ...json, "idempotency-key": "t-1" },
    body: (s) => JSON.stringify({ api_key: (s.agents["carol"] as TestAgent).apiKey }),
  },
  {
    name: "token exchange with an Idempotency-Key, replayed",
    fast: true,
    method: "POST",
    path: () => "/api/auth/token",
    headers: { ...json, "idempotency-key": "t-1" },
    body: (s) => JSON.stringify({ api_key: (s.agents["carol"] as TestAgent).apiKey }),
  },
  {
    name: "token refresh stays on Hono",
    fast: false,
    method: "POST",
    path: () => "/api/auth/refresh",
    token: alice,
  },
  // Keyed POSTs (what the SDK sends): the first runs, a retry replays, another body is refused,
  // a failure is not stored (its corrected retry runs).
  {
    name: "Idempotency-Key",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: { ...json, "idempotency-key": "k-1" },
    body: '{"content":"once"}',
  },
  {
    name: "Idempotency-Key replayed",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: { ...json, "idempotency-key": "k-1" },
    body: '{"content":"once"}',
  },
  {
    name: "Idempotency-Key with another body",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: { ...json, "idempotency-key": "k-1" },
    body: '{"content":"twice"}',
  },
  {
    name: "Idempotency-Key, a validation failure",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: { ...json, "idempotency-key": "k-2" },
    body: '{"content":""}',
  },
  {
    name: "Idempotency-Key, its corrected retry runs",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: { ...json, "idempotency-key": "k-2" },
    body: '{"content":"fixed"}',
  },
  {
    name: "Idempotency-Key, malformed",
    fast: true,
    method: "POST",
    path: messages,
    token: alice,
    headers: { ...json, "idempotency-key": "k".repeat(256) },
    body: '{"content":"x"}',
  },
  {
    name: "Idempotency-Key on a conversation create",
    fast: true,
    method: "POST",
    path: () => "/api/conversations",
    token: alice,
    headers: { ...json, "idempotency-key": "c-1" },
    body: '{"type":"group","title":"Keyed"}',
  },
  {
    name: "Idempotency-Key on a conversation create, replayed",
    fast: true,
    method: "POST",
    path: () => "/api/conversations",
    token: alice,
    headers: { ...json, "idempotency-key": "c-1" },
    body: '{"type":"group","title":"Keyed"}',
  },
  // Handed to Hono.
  { name: "HEAD", fast: false, method: "HEAD", path: messages, token: alice },
  { name: "OPTIONS", fast: false, method: "OPTIONS", path: messages, token: alice },
  { name: "trailing slash", fast: false, path: (s) => `${messages(s)}/`, token: alice },
  { name: "dot segment", fast: false, path: (s) => `${messages(s)}/../messages`, token: alice },
  { name: "method not allowed", fast: false, method: "PUT", path: messages, token: alice },
  { name: "events stay on Hono", fast: false, path: () => "/api/events", token: alice },
  { name: "another domain", fast: false, path: () => "/api/agents/me", token: alice },
];

describe("the fast lane answers like the Hono path", () => {
  let plain: Side;
  let lane: Side;
  beforeAll(async () => {
    [plain, lane] = await pair();
    await seed(plain);
    await seed(lane);
  });
  afterAll(async () => {
    for (const s of [plain, lane]) {
      await s.close();
      await s.t.close();
    }
  });

  it("is attached", () => {
    expect(fastLaneOf(lane.t.app)).toBeDefined();
  });

  it("on every case of the corpus", async () => {
    for (const [i, c] of corpus.entries()) await compare(plain, lane, c, `fl-${i}`);
  });

  it("with a generated request id, and an insane one", async () => {
    const c = corpus[3] as Case;
    const a = await compare(plain, lane, c);
    expect(a.headers["x-request-id"]).toMatch(/^req_/);
    const b = await compare(plain, lane, { ...c, headers: { "x-request-id": "bad id!" } });
    expect(b.headers["x-request-id"]).toMatch(/^req_/);
  });

  it("with a repeated header line (handed on, both joined alike)", async () => {
    const counts = fastLaneOf(lane.t.app)?.counts;
    const before = counts?.served;
    // A flat array of header lines: Authorization twice.
    const statuses = await Promise.all(
      [plain, lane].map(
        (s) =>
          new Promise<number>((resolve, reject) => {
            const auth = `Bearer ${alice(s)}`;
            const req = httpRequest(
              {
                host: "127.0.0.1",
                port: s.port,
                path: messages(s),
                headers: [
                  "host",
                  `127.0.0.1:${s.port}`,
                  "authorization",
                  auth,
                  "authorization",
                  auth,
                ],
              },
              (res) => {
                res.resume();
                res.on("end", () => resolve(res.statusCode ?? 0));
              },
            );
            req.on("error", reject);
            req.end();
          }),
      ),
    );
    expect(statuses[1]).toBe(statuses[0]);
    expect(statuses[0]).toBe(401);
    expect(counts?.served).toBe(before);
  });

  it("takes a body that arrived whole from the stream's buffer, and waits for one still arriving", async () => {
    const counts = fastLaneOf(lane.t.app)?.counts as NonNullable<
      ReturnType<typeof fastLaneOf>
    >["counts"];
    const before = counts.bufferedBodies;
    const whole = await fetch(`${lane.url}${messages(lane)}`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice(lane)}`, "content-type": "application/json" },
      body: JSON.stringify({ content: "whole: h\u00e9llo" }),
    });
    expect(whole.status).toBe(201);
    expect((await whole.json()).content).toBe("whole: h\u00e9llo");
    expect(counts.bufferedBodies).toBe(before + 1);
    // The same body in two writes 100 ms apart, split inside the two bytes of "é": the lane
    // must wait for the rest (no buffered read) and decode the joined bytes.
    const bytes = Buffer.from(JSON.stringify({ content: "parts: h\u00e9llo" }));
    const cut = bytes.indexOf(0xc3) + 1;
    const served = counts.served;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port: lane.port,
          method: "POST",
          path: messages(lane),
          headers: {
            authorization: `Bearer ${alice(lane)}`,
            "content-type": "application/json",
            "content-length": String(bytes.length),
          },
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.flushHeaders();
      req.write(bytes.subarray(0, cut));
      setTimeout(() => req.end(bytes.subarray(cut)), 100);
    });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body).content).toBe("parts: h\u00e9llo");
    expect(counts.served).toBe(served + 1);
    expect(counts.bufferedBodies).toBe(before + 1);
  });

  it("after a logout (session_revoked) and past the token's expiry (token_expired)", async () => {
    for (const s of [plain, lane]) {
      await s.t.request("/api/auth/logout", { method: "POST", token: agent("bob")(s) });
    }
    const revoked = await compare(plain, lane, {
      name: "revoked",
      fast: true,
      path: messages,
      token: agent("bob"),
    });
    expect(JSON.parse(revoked.body).error.code).toBe("session_revoked");
    for (const s of [plain, lane]) s.t.clock.advance(3600 * 1000);
    const expired = await compare(plain, lane, {
      name: "expired",
      fast: true,
      path: messages,
      token: alice,
    });
    expect(JSON.parse(expired.body).error.code).toBe("token_expired");
  });
});

describe("the fast lane counts rate limits like the Hono path", () => {
  let plain: Side;
  let lane: Side;
  beforeAll(async () => {
    [plain, lane] = await pair({
      rateLimits: {
        enabled: true,
        rules: {
          read: { limit: 3, windowSeconds: 60 },
          write: { limit: 5, windowSeconds: 60 },
          public: { limit: 4, windowSeconds: 60 },
          token: { limit: 6, windowSeconds: 60 },
        },
      },
    });
    await seed(plain);
    await seed(lane);
  });
  afterAll(async () => {
    for (const s of [plain, lane]) {
      await s.close();
      await s.t.close();
    }
  });

  it("up to 429 with RateLimit-* and Retry-After, per bucket and for refused credentials", async () => {
    const list: Case = { name: "list", fast: true, path: messages, token: alice };
    const sendOne: Case = {
      name: "send",
      fast: true,
      method: "POST",
      path: messages,
      token: alice,
      headers: json,
      body: '{"content":"counted"}',
    };
    // The seed spent 4 of alice's 5 writes.
    const refused: Case = { name: "refused", fast: true, path: messages, token: () => "x" };
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await compare(plain, lane, list, `r-${i}`));
    for (let i = 0; i < 3; i++) answers.push(await compare(plain, lane, sendOne, `w-${i}`));
    for (let i = 0; i < 5; i++) answers.push(await compare(plain, lane, refused, `p-${i}`));
    expect(answers.map((a) => a.status)).toEqual([
      200, 200, 200, 429, 201, 429, 429, 401, 401, 401, 401, 429,
    ]);
    const limited = answers[3] as Answer;
    expect(limited.headers["ratelimit-remaining"]).toBe("0");
    expect(limited.headers["retry-after"]).toBeDefined();
    expect(answers[0]?.headers["ratelimit-limit"]).toBe("3");

    // The token exchange: also per api key (carol's seed exchange counts), 429 alike.
    const exchange: Case = {
      name: "exchange",
      fast: true,
      method: "POST",
      path: () => "/api/auth/token",
      headers: json,
      body: (s) => JSON.stringify({ api_key: (s.agents["carol"] as TestAgent).apiKey }),
    };
    const exchanged: Answer[] = [];
    for (let i = 0; i < 6; i++) exchanged.push(await compare(plain, lane, exchange, `t-${i}`));
    expect(exchanged.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(exchanged[5]?.headers["retry-after"]).toBeDefined();
  });
});

describe("with CORS configured", () => {
  it("the lane is not attached, so every request gets Hono's CORS headers", async () => {
    const t = createTestApp({ config: { corsOrigins: ["https://app.example"] } });
    try {
      expect(fastLaneOf(t.app)).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
