import type { Message } from "@fluxra/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, connectStdio, errorOf, type Session, transcript } from "./support/mcp-client.js";
import {
  type Agent,
  type ReferenceServer,
  registerAgent,
  startReferenceServer,
} from "./support/reference-server.js";

// A real MCP client spawns the built `fluxra-mcp` over stdio, acting as alice, against the
// reference server on loopback; bob and carol act through the SDK.
let server: ReferenceServer;
let alice: Agent;
let bob: Agent;
let carol: Agent;
let mcp: Session;
const sessions: Session[] = [];

beforeAll(async () => {
  server = await startReferenceServer();
  [alice, bob, carol] = await Promise.all([
    registerAgent(server.baseUrl, "alice"),
    registerAgent(server.baseUrl, "bob"),
    registerAgent(server.baseUrl, "carol"),
  ]);
  mcp = await connectStdio(
    {
      FLUXRA_API_KEY: alice.apiKey,
      FLUXRA_BASE_URL: server.baseUrl,
    },
    undefined,
    ["--poll-interval", "50"],
  );
  sessions.push(mcp);
});

afterAll(async () => {
  for (const s of sessions) await s.close();
  await server?.close();
});

describe("fluxra-mcp over stdio", () => {
  it("introduces itself and lists the twelve tools", async () => {
    expect(mcp.client.getServerVersion()).toMatchObject({ name: "fluxra", version: "0.4.0" });
    expect(mcp.client.getInstructions()).toContain("wait_for_messages");
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "whoami",
      "search_agents",
      "get_agent",
      "list_conversations",
      "open_direct",
      "create_group",
      "send_message",
      "list_messages",
      "mark_read",
      "wait_for_messages",
      "block_agent",
      "unblock_agent",
    ]);
    const send = tools.find((t) => t.name === "send_message");
    expect(send?.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false });
  });

  it("whoami answers with the agent that owns the api key", async () => {
    const r = await call(mcp.client, "whoami");
    expect(r.isError).toBe(false);
    expect(r.json).toMatchObject({ id: alice.id, handle: alice.handle, discoverable: true });
    expect(JSON.parse(r.text)).toEqual(r.json);
  });

  it("search_agents finds agents by handle prefix and rejects a bad tag before any request", async () => {
    const found = await call(mcp.client, "search_agents", { q: bob.handle });
    expect((found.json["data"] as { id: string }[]).map((a) => a.id)).toEqual([bob.id]);
    const paged = await call(mcp.client, "search_agents", { limit: 1 });
    expect(paged.json).toMatchObject({ has_more: true });
    const next = await call(mcp.client, "search_agents", {
      limit: 1,
      cursor: paged.json["next_cursor"],
    });
    expect((next.json["data"] as unknown[]).length).toBe(1);
    expect(next.json["data"]).not.toEqual(paged.json["data"]);
    const bad = await call(mcp.client, "search_agents", { tag: "Not A Tag" });
    expect(bad.isError).toBe(true);
    expect(errorOf(bad)).toMatchObject({ code: "validation_failed" });
    expect(bad.text).toMatch(/^validation_failed: .*\/tag/);
  });

  it("get_agent reads a profile by @handle; an unknown agent is a not_found tool error", async () => {
    const r = await call(mcp.client, "get_agent", { agent_id: `@${bob.handle}` });
    expect(r.json).toMatchObject({ id: bob.id, handle: bob.handle });
    const missing = await call(mcp.client, "get_agent", {
      agent_id: "agt_00000000000000000000000000",
    });
    expect(missing.isError).toBe(true);
    expect(errorOf(missing)).toMatchObject({ code: "not_found", status: 404 });
    expect(missing.text).toMatch(/^not_found: .+\(404, req_/);
  });

  it("open_direct, send_message, list_messages (with after) and mark_read run a conversation", async () => {
    const opened = await call(mcp.client, "open_direct", { agent_id: bob.id });
    expect(opened.json).toMatchObject({ type: "direct", member_count: 2 });
    const cid = String(opened.json["id"]);
    const again = await call(mcp.client, "open_direct", { agent_id: bob.id });
    expect(again.json["id"]).toBe(cid);

    const first = await call(mcp.client, "send_message", {
      conversation_id: cid,
      content: "hi bob",
    });
    expect(first.json).toMatchObject({ seq: 1, author_id: alice.id, content: "hi bob" });
    const key = "retry-1";
    const a = await call(mcp.client, "send_message", {
      conversation_id: cid,
      content: "once",
      idempotency_key: key,
    });
    const b = await call(mcp.client, "send_message", {
      conversation_id: cid,
      content: "once",
      idempotency_key: key,
    });
    expect(b.json["id"]).toBe(a.json["id"]);

    const reply = await bob.client.messages.send(cid, { content: "hello alice" });
    const all = await call(mcp.client, "list_messages", { conversation_id: cid });
    expect((all.json["data"] as Message[]).map((m) => m.content)).toEqual([
      "hello alice",
      "once",
      "hi bob",
    ]);
    const after = await call(mcp.client, "list_messages", {
      conversation_id: cid,
      after: String(first.json["id"]),
    });
    expect((after.json["data"] as Message[]).map((m) => m.seq)).toEqual([2, 3]);

    const read = await call(mcp.client, "mark_read", {
      conversation_id: cid,
      message_id: reply.id,
    });
    expect(read.json).toEqual({ last_read_message_id: reply.id, unread_count: 0 });
  });

  it("create_group and list_conversations show the agent's conversations", async () => {
    const group = await call(mcp.client, "create_group", {
      title: "MCP group",
      member_ids: [bob.id, carol.id],
    });
    expect(group.json).toMatchObject({ type: "group", title: "MCP group", member_count: 3 });
    const list = await call(mcp.client, "list_conversations", {});
    const ids = (list.json["data"] as { id: string }[]).map((c) => c.id);
    expect(ids[0]).toBe(group.json["id"]);
    expect(ids).toHaveLength(2);
  });

  it("API failures are tool errors with the API's code: not a member, a bad body", async () => {
    const theirs = await bob.client.conversations.create({ type: "group", title: "not alice's" });
    const r = await call(mcp.client, "send_message", { conversation_id: theirs.id, content: "x" });
    expect(r.isError).toBe(true);
    expect(errorOf(r)).toMatchObject({ code: "not_found", status: 404 });

    const tooLong = await call(mcp.client, "list_messages", {
      conversation_id: theirs.id,
      limit: 101,
    });
    expect(errorOf(tooLong)).toMatchObject({ code: "validation_failed" });

    const unknown = await call(mcp.client, "whoami", { verbose: true });
    expect(errorOf(unknown)).toMatchObject({
      code: "validation_failed",
      details: [{ path: "/", message: 'unknown input "verbose"' }],
    });
    const missing = await call(mcp.client, "send_message", { content: "no conversation" });
    expect(errorOf(missing).message).toContain("conversation_id");
  });

  it("block_agent makes sends fail with `blocked`; unblock_agent lifts it", async () => {
    const direct = await alice.client.conversations.create({ type: "direct", agent_id: carol.id });
    const blocked = await call(mcp.client, "block_agent", { agent_id: carol.id });
    expect(blocked.json).toMatchObject({ type: "agent", target_id: carol.id });
    const refused = await call(mcp.client, "send_message", {
      conversation_id: direct.id,
      content: "can you hear me?",
    });
    expect(refused.isError).toBe(true);
    expect(errorOf(refused)).toMatchObject({ code: "blocked", status: 403 });
    const unblocked = await call(mcp.client, "unblock_agent", { agent_id: carol.id });
    expect(unblocked).toMatchObject({ isError: false, json: { ok: true } });
    const sent = await call(mcp.client, "send_message", {
      conversation_id: direct.id,
      content: "now you can",
    });
    expect(sent.isError).toBe(false);
  });

  it("resources: conversations are listed and read with their recent messages", async () => {
    const { resourceTemplates } = await mcp.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["fluxra://conversations/{id}"]);
    const { resources } = await mcp.client.listResources();
    const conversations = await alice.client.conversations.list().toArray();
    expect(resources.map((r) => r.uri)).toEqual(
      conversations.map((c) => `fluxra://conversations/${c.id}`),
    );
    const direct = conversations.find(
      (c) => c.type === "direct" && c.last_message?.author_id === bob.id,
    );
    const read = await mcp.client.readResource({ uri: `fluxra://conversations/${direct?.id}` });
    const body = JSON.parse(String((read.contents[0] as { text: string }).text));
    expect(body.conversation.id).toBe(direct?.id);
    expect(body.recent_messages.map((m: Message) => m.seq)).toEqual([1, 2, 3]);
    await expect(
      mcp.client.readResource({ uri: "fluxra://conversations/cnv_00000000000000000000000000" }),
    ).rejects.toThrow(/not_found/);
  });
});

describe("wait_for_messages (polling: this server has no event feed)", () => {
  it("returns at once with unread messages, and again until they are marked read", async () => {
    const group = await bob.client.conversations.create({
      type: "group",
      title: "waiting",
      member_ids: [alice.id],
    });
    const m = await bob.client.messages.send(group.id, { content: "are you there?" });
    const r = await call(mcp.client, "wait_for_messages", { timeout_seconds: 5 });
    expect(r.json).toMatchObject({ timed_out: false, messages: [{ id: m.id }] });
    const again = await call(mcp.client, "wait_for_messages", { timeout_seconds: 0 });
    expect(again.json).toMatchObject({ messages: [{ id: m.id }] });
    await call(mcp.client, "mark_read", { conversation_id: group.id, message_id: m.id });
    const none = await call(mcp.client, "wait_for_messages", { timeout_seconds: 0 });
    expect(none.json).toEqual({ messages: [], timed_out: true });
  });

  it("sleeps until another agent sends, ignoring the agent's own messages", async () => {
    const direct = await alice.client.conversations.create({ type: "direct", agent_id: bob.id });
    await alice.client.conversations.markRead(
      direct.id,
      (await alice.client.messages.list(direct.id).toArray({ limit: 1 }))[0]?.id ?? "",
    );
    const started = Date.now();
    const waiting = call(mcp.client, "wait_for_messages", { timeout_seconds: 20 });
    await new Promise((r) => setTimeout(r, 400));
    await alice.client.messages.send(direct.id, { content: "my own, not a wake-up" });
    await new Promise((r) => setTimeout(r, 400));
    const sent = await bob.client.messages.send(direct.id, { content: "wake up" });
    const r = await waiting;
    expect(r.json).toMatchObject({
      timed_out: false,
      messages: [{ id: sent.id, content: "wake up" }],
    });
    expect((r.json["messages"] as unknown[]).length).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("with conversation_id and after, returns what follows that message; times out when nothing does", async () => {
    const group = await bob.client.conversations.create({
      type: "group",
      title: "after",
      member_ids: [alice.id],
    });
    const one = await bob.client.messages.send(group.id, { content: "one" });
    const two = await bob.client.messages.send(group.id, { content: "two" });
    const r = await call(mcp.client, "wait_for_messages", {
      conversation_id: group.id,
      after: one.id,
      timeout_seconds: 1,
    });
    expect((r.json["messages"] as Message[]).map((m) => m.id)).toEqual([two.id]);
    const started = Date.now();
    const idle = await call(mcp.client, "wait_for_messages", {
      conversation_id: group.id,
      after: two.id,
      timeout_seconds: 1,
    });
    expect(idle.json).toEqual({ messages: [], timed_out: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const lonely = await call(mcp.client, "wait_for_messages", { after: two.id });
    expect(errorOf(lonely)).toMatchObject({ code: "validation_failed" });
    const foreign = await carol.client.conversations.create({ type: "group", title: "carol's" });
    const hidden = await call(mcp.client, "wait_for_messages", {
      conversation_id: foreign.id,
      timeout_seconds: 1,
    });
    expect(errorOf(hidden)).toMatchObject({ code: "not_found" });
  });
});

describe("secrets", () => {
  it("a wrong api key is an invalid_credentials tool error, and the key appears nowhere", async () => {
    const wrong = `${alice.apiKey.slice(0, -8)}AAAAAAAA`;
    const s = await connectStdio({ FLUXRA_API_KEY: wrong, FLUXRA_BASE_URL: server.baseUrl });
    sessions.push(s);
    const r = await call(s.client, "whoami");
    expect(r.isError).toBe(true);
    expect(errorOf(r).code).toBe("invalid_credentials");
    const secretPart = wrong.slice(4);
    expect(JSON.stringify(r.result)).not.toContain(secretPart);
    expect(s.stderr()).not.toContain(secretPart);
  });

  it("no tool result of this file, nor stderr, carries an api key or an access token", () => {
    expect(transcript.length).toBeGreaterThan(30);
    for (const text of [...transcript, mcp.stderr()]) {
      expect(text).not.toContain(alice.apiKey.slice(4));
      expect(text).not.toMatch(/fx[kr]_[0-9A-Za-z]{8}|eyJ[\w-]+\.eyJ/);
    }
  });
});
