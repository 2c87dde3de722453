import { APIError, type FluxraClient } from "@fluxra/sdk";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../src/server.js";
import { call } from "./support/mcp-client.js";
import {
  type Agent,
  type ReferenceServer,
  registerAgent,
  startReferenceServer,
} from "./support/reference-server.js";

// How wait_for_messages picks its strategy when the SDK has `client.events` (the Events feed,
// a preview the reference server here does not serve yet). In process, over the MCP SDK's
// in-memory transport, against the real reference server.
let server: ReferenceServer;
let alice: Agent;
let bob: Agent;

beforeAll(async () => {
  server = await startReferenceServer();
  [alice, bob] = await Promise.all([
    registerAgent(server.baseUrl, "alice"),
    registerAgent(server.baseUrl, "bob"),
  ]);
});
afterAll(() => server?.close());

async function connect(client: FluxraClient, pollIntervalMs: number) {
  const mcp = buildServer(client, pollIntervalMs);
  const [a, b] = InMemoryTransport.createLinkedPair();
  const mcpClient = new Client({ name: "events-test", version: "0.0.0" });
  await Promise.all([mcp.connect(a), mcpClient.connect(b)]);
  return mcpClient;
}

describe("wait_for_messages with client.events", () => {
  it("falls back to polling when the server has no /api/events (404 route_not_found)", async () => {
    const polls: number[] = [];
    const client = Object.assign(Object.create(alice.client), {
      events: {
        // What the SDK's feed does: GET /api/events with the access token.
        async poll(options: { cursor?: string; wait?: number }) {
          polls.push(options.wait ?? 0);
          const token = await alice.client.getAccessToken();
          const res = await fetch(`${server.baseUrl}/api/events?wait=${options.wait ?? 0}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          throw APIError.generate(res.status, await res.json(), undefined, res.headers);
        },
      },
    }) as FluxraClient;
    const mcp = await connect(client, 50);
    const direct = await bob.client.conversations.create({ type: "direct", agent_id: alice.id });
    const waiting = call(mcp, "wait_for_messages", {
      conversation_id: direct.id,
      timeout_seconds: 10,
    });
    await new Promise((r) => setTimeout(r, 300));
    const sent = await bob.client.messages.send(direct.id, { content: "polled" });
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
    let wake: (() => void) | undefined;
    let conversationId = "";
    const waits: number[] = [];
    const client = Object.assign(Object.create(alice.client), {
      events: {
        async poll(options: { cursor?: string; wait?: number }) {
          waits.push(options.wait ?? 0);
          if (!options.cursor) return { data: [], next_cursor: "c0" };
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          return {
            data: [{ type: "message.created", conversation_id: conversationId }],
            next_cursor: "c1",
          };
        },
      },
    }) as FluxraClient;
    // A poll interval longer than the test: only the feed can end this wait in time.
    const mcp = await connect(client, 60_000);
    const group = await bob.client.conversations.create({
      type: "group",
      title: "events",
      member_ids: [alice.id],
    });
    conversationId = group.id;
    const waiting = call(mcp, "wait_for_messages", {
      conversation_id: group.id,
      timeout_seconds: 30,
    });
    await new Promise((r) => setTimeout(r, 300));
    const sent = await bob.client.messages.send(group.id, { content: "pushed" });
    wake?.();
    const r = await waiting;
    expect(r.json).toMatchObject({ timed_out: false, messages: [{ id: sent.id }] });
    expect(waits[0]).toBe(0);
    expect(waits[1]).toBeGreaterThanOrEqual(29);
    await mcp.close();
  });
});
