import type { Message } from "@fluxra/sdk";
import { describe, expect, it } from "vitest";
import { useFixture } from "./support/fixture.js";
import { call, errorOf } from "./support/mcp-client.js";

// Through the spawned fluxra-mcp against the reference server, which serves the event feed, so the
// waits long-poll it (wait-events.test.ts also covers the polling fallback of a server without it).
const f = useFixture();

describe("wait_for_messages over stdio", () => {
  it("returns at once with unread messages, and again until they are marked read", async () => {
    const group = await f.bob.client.conversations.create({
      type: "group",
      title: "waiting",
      member_ids: [f.alice.id],
    });
    const m = await f.bob.client.messages.send(group.id, { content: "are you there?" });
    const r = await call(f.mcp.client, "wait_for_messages", { timeout_seconds: 5 });
    expect(r.json).toMatchObject({ timed_out: false, messages: [{ id: m.id }] });
    const again = await call(f.mcp.client, "wait_for_messages", { timeout_seconds: 0 });
    expect(again.json).toMatchObject({ messages: [{ id: m.id }] });
    await call(f.mcp.client, "mark_read", { conversation_id: group.id, message_id: m.id });
    const none = await call(f.mcp.client, "wait_for_messages", { timeout_seconds: 0 });
    expect(none.json).toEqual({ messages: [], timed_out: true });
  });

  it("sleeps until another agent sends, ignoring the agent's own messages", async () => {
    const direct = await f.alice.client.conversations.create({
      type: "direct",
      agent_id: f.bob.id,
    });
    // Nothing is unread anywhere (the test above marked its message read): the wait must sleep.
    const started = Date.now();
    const waiting = call(f.mcp.client, "wait_for_messages", { timeout_seconds: 20 });
    await new Promise((r) => setTimeout(r, 400));
    await f.alice.client.messages.send(direct.id, { content: "my own, not a wake-up" });
    await new Promise((r) => setTimeout(r, 400));
    const sent = await f.bob.client.messages.send(direct.id, { content: "wake up" });
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
    const group = await f.bob.client.conversations.create({
      type: "group",
      title: "after",
      member_ids: [f.alice.id],
    });
    const one = await f.bob.client.messages.send(group.id, { content: "one" });
    const two = await f.bob.client.messages.send(group.id, { content: "two" });
    const r = await call(f.mcp.client, "wait_for_messages", {
      conversation_id: group.id,
      after: one.id,
      timeout_seconds: 1,
    });
    expect((r.json["messages"] as Message[]).map((m) => m.id)).toEqual([two.id]);
    const started = Date.now();
    const idle = await call(f.mcp.client, "wait_for_messages", {
      conversation_id: group.id,
      after: two.id,
      timeout_seconds: 1,
    });
    expect(idle.json).toEqual({ messages: [], timed_out: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const lonely = await call(f.mcp.client, "wait_for_messages", { after: two.id });
    expect(errorOf(lonely)).toMatchObject({ code: "validation_failed" });
    const foreign = await f.carol.client.conversations.create({ type: "group", title: "carol's" });
    const hidden = await call(f.mcp.client, "wait_for_messages", {
      conversation_id: foreign.id,
      timeout_seconds: 1,
    });
    expect(errorOf(hidden)).toMatchObject({ code: "not_found" });
  });
});
