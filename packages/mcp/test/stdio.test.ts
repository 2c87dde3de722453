import type { Message } from "@fluxra/sdk";
import { describe, expect, it } from "vitest";
import { useFixture } from "./support/fixture.js";
import { call, connectStdio, errorOf, transcript } from "./support/mcp-client.js";

const f = useFixture();

describe("fluxra-f.mcp over stdio", () => {
  it("introduces itself and lists the twelve tools", async () => {
    expect(f.mcp.client.getServerVersion()).toMatchObject({ name: "fluxra", version: "0.4.0" });
    expect(f.mcp.client.getInstructions()).toContain("wait_for_messages");
    const { tools } = await f.mcp.client.listTools();
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
    const r = await call(f.mcp.client, "whoami");
    expect(r.isError).toBe(false);
    expect(r.json).toMatchObject({ id: f.alice.id, handle: f.alice.handle, discoverable: true });
    expect(JSON.parse(r.text)).toEqual(r.json);
  });

  it("search_agents finds agents by handle prefix and rejects a bad tag before any request", async () => {
    const found = await call(f.mcp.client, "search_agents", { q: f.bob.handle });
    expect((found.json["data"] as { id: string }[]).map((a) => a.id)).toEqual([f.bob.id]);
    const paged = await call(f.mcp.client, "search_agents", { limit: 1 });
    expect(paged.json).toMatchObject({ has_more: true });
    const next = await call(f.mcp.client, "search_agents", {
      limit: 1,
      cursor: paged.json["next_cursor"],
    });
    expect((next.json["data"] as unknown[]).length).toBe(1);
    expect(next.json["data"]).not.toEqual(paged.json["data"]);
    const bad = await call(f.mcp.client, "search_agents", { tag: "Not A Tag" });
    expect(bad.isError).toBe(true);
    expect(errorOf(bad)).toMatchObject({ code: "validation_failed" });
    expect(bad.text).toMatch(/^validation_failed: .*\/tag/);
  });

  it("get_agent reads a profile by @handle; an unknown agent is a not_found tool error", async () => {
    const r = await call(f.mcp.client, "get_agent", { agent_id: `@${f.bob.handle}` });
    expect(r.json).toMatchObject({ id: f.bob.id, handle: f.bob.handle });
    const missing = await call(f.mcp.client, "get_agent", {
      agent_id: "agt_00000000000000000000000000",
    });
    expect(missing.isError).toBe(true);
    expect(errorOf(missing)).toMatchObject({ code: "not_found", status: 404 });
    expect(missing.text).toMatch(/^not_found: .+\(404, req_/);
  });

  it("open_direct, send_message, list_messages (with after) and mark_read run a conversation", async () => {
    const opened = await call(f.mcp.client, "open_direct", { agent_id: f.bob.id });
    expect(opened.json).toMatchObject({ type: "direct", member_count: 2 });
    const cid = String(opened.json["id"]);
    const again = await call(f.mcp.client, "open_direct", { agent_id: f.bob.id });
    expect(again.json["id"]).toBe(cid);

    const first = await call(f.mcp.client, "send_message", {
      conversation_id: cid,
      content: "hi bob",
    });
    expect(first.json).toMatchObject({ seq: 1, author_id: f.alice.id, content: "hi bob" });
    const key = "retry-1";
    const a = await call(f.mcp.client, "send_message", {
      conversation_id: cid,
      content: "once",
      idempotency_key: key,
    });
    const b = await call(f.mcp.client, "send_message", {
      conversation_id: cid,
      content: "once",
      idempotency_key: key,
    });
    expect(b.json["id"]).toBe(a.json["id"]);

    const reply = await f.bob.client.messages.send(cid, { content: "hello alice" });
    const all = await call(f.mcp.client, "list_messages", { conversation_id: cid });
    expect((all.json["data"] as Message[]).map((m) => m.content)).toEqual([
      "hello alice",
      "once",
      "hi bob",
    ]);
    const after = await call(f.mcp.client, "list_messages", {
      conversation_id: cid,
      after: String(first.json["id"]),
    });
    expect((after.json["data"] as Message[]).map((m) => m.seq)).toEqual([2, 3]);

    const read = await call(f.mcp.client, "mark_read", {
      conversation_id: cid,
      message_id: reply.id,
    });
    expect(read.json).toEqual({ last_read_message_id: reply.id, unread_count: 0 });
  });

  it("create_group and list_conversations show the agent's conversations", async () => {
    const group = await call(f.mcp.client, "create_group", {
      title: "MCP group",
      member_ids: [f.bob.id, f.carol.id],
    });
    expect(group.json).toMatchObject({ type: "group", title: "MCP group", member_count: 3 });
    const list = await call(f.mcp.client, "list_conversations", {});
    const ids = (list.json["data"] as { id: string }[]).map((c) => c.id);
    expect(ids[0]).toBe(group.json["id"]);
    expect(ids).toHaveLength(2);
  });

  it("API failures are tool errors with the API's code: not a member, a bad body", async () => {
    const theirs = await f.bob.client.conversations.create({ type: "group", title: "not alice's" });
    const r = await call(f.mcp.client, "send_message", {
      conversation_id: theirs.id,
      content: "x",
    });
    expect(r.isError).toBe(true);
    expect(errorOf(r)).toMatchObject({ code: "not_found", status: 404 });

    const tooLong = await call(f.mcp.client, "list_messages", {
      conversation_id: theirs.id,
      limit: 101,
    });
    expect(errorOf(tooLong)).toMatchObject({ code: "validation_failed" });

    const unknown = await call(f.mcp.client, "whoami", { verbose: true });
    expect(errorOf(unknown)).toMatchObject({
      code: "validation_failed",
      details: [{ path: "/", message: 'unknown input "verbose"' }],
    });
    const missing = await call(f.mcp.client, "send_message", { content: "no conversation" });
    expect(errorOf(missing).message).toContain("conversation_id");
  });

  it("block_agent makes sends fail with `blocked`; unblock_agent lifts it", async () => {
    const direct = await f.alice.client.conversations.create({
      type: "direct",
      agent_id: f.carol.id,
    });
    const blocked = await call(f.mcp.client, "block_agent", { agent_id: f.carol.id });
    expect(blocked.json).toMatchObject({ type: "agent", target_id: f.carol.id });
    const refused = await call(f.mcp.client, "send_message", {
      conversation_id: direct.id,
      content: "can you hear me?",
    });
    expect(refused.isError).toBe(true);
    expect(errorOf(refused)).toMatchObject({ code: "blocked", status: 403 });
    const unblocked = await call(f.mcp.client, "unblock_agent", { agent_id: f.carol.id });
    expect(unblocked).toMatchObject({ isError: false, json: { ok: true } });
    const sent = await call(f.mcp.client, "send_message", {
      conversation_id: direct.id,
      content: "now you can",
    });
    expect(sent.isError).toBe(false);
  });

  it("resources: conversations are listed and read with their recent messages", async () => {
    const { resourceTemplates } = await f.mcp.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["fluxra://conversations/{id}"]);
    const { resources } = await f.mcp.client.listResources();
    const conversations = await f.alice.client.conversations.list().toArray();
    expect(resources.map((r) => r.uri)).toEqual(
      conversations.map((c) => `fluxra://conversations/${c.id}`),
    );
    const direct = conversations.find(
      (c) => c.type === "direct" && c.last_message?.author_id === f.bob.id,
    );
    const read = await f.mcp.client.readResource({ uri: `fluxra://conversations/${direct?.id}` });
    const body = JSON.parse(String((read.contents[0] as { text: string }).text));
    expect(body.conversation.id).toBe(direct?.id);
    expect(body.recent_messages.map((m: Message) => m.seq)).toEqual([1, 2, 3]);
    await expect(
      f.mcp.client.readResource({ uri: "fluxra://conversations/cnv_00000000000000000000000000" }),
    ).rejects.toThrow(/not_found/);
  });
});

describe("secrets", () => {
  it("a wrong api key is an invalid_credentials tool error, and the key appears nowhere", async () => {
    const wrong = `${f.alice.apiKey.slice(0, -8)}AAAAAAAA`;
    const s = await connectStdio({ FLUXRA_API_KEY: wrong, FLUXRA_BASE_URL: f.server.baseUrl });
    f.sessions.push(s);
    const r = await call(s.client, "whoami");
    expect(r.isError).toBe(true);
    expect(errorOf(r).code).toBe("invalid_credentials");
    const secretPart = wrong.slice(4);
    expect(JSON.stringify(r.result)).not.toContain(secretPart);
    expect(s.stderr()).not.toContain(secretPart);
  });

  it("no tool result of this file, nor stderr, carries an api key or an access token", () => {
    expect(transcript.length).toBeGreaterThan(20);
    for (const text of [...transcript, f.mcp.stderr()]) {
      expect(text).not.toContain(f.alice.apiKey.slice(4));
      expect(text).not.toMatch(/fx[kr]_[0-9A-Za-z]{8}|eyJ[\w-]+\.eyJ/);
    }
  });
});
