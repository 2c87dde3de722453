import type { FluxraClient } from "@fluxra/sdk";
import { type StartedReferenceServer, startReferenceServer } from "@fluxra/server/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../src/server.js";
import { type Agent, registerAgent } from "./support/agent.js";
import { call } from "./support/mcp-client.js";

// How wait_for_messages picks its strategy when the SDK has `client.events` (the Events feed, a
// preview): in process, over the MCP SDK's in-memory transport, against real reference servers,
// one serving the feed and one without it (as production 0.4.0 may be). Each client's
// `events.poll` is the real SDK call, wrapped only to record the `wait` it was asked for.
let server: StartedReferenceServer;
let withoutFeed: StartedReferenceServer;
let alice: Agent;
let bob: Agent;

beforeAll(async () => {
  [server, withoutFeed] = await Promise.all([
    startReferenceServer(),
    startReferenceServer({
      config: { rateLimits: { enabled: false }, events: { enabled: false } },
    }),
  ]);
  [alice, bob] = await Promise.all([
    registerAgent(server.baseUrl, "alice"),
    registerAgent(server.baseUrl, "bob"),
  ]);
});
afterAll(async () => {
  await server?.close();
  await withoutFeed?.close();
});

/** `client` whose `events.poll` records each `wait` before making the real call. */
function recordingPolls(client: FluxraClient, waits: number[]): FluxraClient {
  return Object.assign(Object.create(client), {
    events: {
      ...client.events,
      poll(options: Parameters<FluxraClient["events"]["poll"]>[0]) {
        waits.push(options?.wait ?? 0);
        return client.events.poll(options);
      },
    },
  }) as FluxraClient;
}

async function connect(client: FluxraClient, pollIntervalMs: number) {
  const mcp = buildServer(client, pollIntervalMs);
  const [a, b] = InMemoryTransport.createLinkedPair();
  const mcpClient = new Client({ name: "events-test", version: "0.0.0" });
  await Promise.all([mcp.connect(a), mcpClient.connect(b)]);
  return mcpClient;
}

describe("wait_for_messages with client.events", () => {
  it("falls back to polling when the server has no /api/events (404 route_not_found)", async () => {
    const [carol, dan] = await Promise.all([
      registerAgent(withoutFeed.baseUrl, "carol"),
      registerAgent(withoutFeed.baseUrl, "dan"),
    ]);
    const polls: number[] = [];
    const client = recordingPolls(carol.client, polls);
    const mcp = await connect(client, 50);
    const direct = await dan.client.conversations.create({ type: "direct", agent_id: carol.id });
    const waiting = call(mcp, "wait_for_messages", {
      conversation_id: direct.id,
      timeout_seconds: 10,
    });
    await new Promise((r) => setTimeout(r, 300));
    const sent = await dan.client.messages.send(direct.id, { content: "polled" });
    expect((await waiting).json).toMatchObject({ timed_out: false, messages: [{ id: sent.id }] });
    expect(polls).toEqual([0]);
    // Asked once: the next wait polls straight away.
    const idle = await call(mcp, "wait_for_messages", {
      conversation_id: direct.id,
      after: sent.id,
      timeout_seconds: 0,
    });
    expect(idle.json).toEqual({ messages: [], timed_out: true });
    expect(polls).toEqual([0]);
    await mcp.close();
  });

  it("sleeps on the feed (not the poll interval) and wakes on message.created", async () => {
    const waits: number[] = [];
    const client = recordingPolls(alice.client, waits);
    // A poll interval longer than the test: only the feed can end this wait in time.
    const mcp = await connect(client, 60_000);
    const group = await bob.client.conversations.create({
      type: "group",
      title: "events",
      member_ids: [alice.id],
    });
    const waiting = call(mcp, "wait_for_messages", {
      conversation_id: group.id,
      timeout_seconds: 30,
    });
    await new Promise((r) => setTimeout(r, 300));
    const sent = await bob.client.messages.send(group.id, { content: "pushed" });
    const r = await waiting;
    expect(r.json).toMatchObject({ timed_out: false, messages: [{ id: sent.id }] });
    expect(waits[0]).toBe(0);
    expect(waits[1]).toBeGreaterThanOrEqual(29);
    await mcp.close();
  });
});
