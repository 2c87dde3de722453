import type { FluxraClient } from "@fluxra/sdk";
import { describe, expect, it } from "vitest";
import { type FeedEvent, followEvents } from "./feed.js";

const event = (id: string, conversation_id: string): FeedEvent => ({
  id,
  type: "message.created",
  created_at: "2026-04-03T20:00:00.000Z",
  conversation_id,
  data: {},
});

describe("followEvents", () => {
  it("starts the stream from a cursor taken before it reports ready", async () => {
    const calls: unknown[] = [];
    const client = {
      events: {
        poll: async () => ({ data: [], next_cursor: "cur_now" }),
        async *stream(options: unknown) {
          calls.push(options);
          yield event("evt_1", "cnv_a");
        },
      },
    } as unknown as FluxraClient;
    const signal = new AbortController().signal;
    for await (const e of followEvents(client, { signal })) expect(e.id).toBe("evt_1");
    expect(calls).toEqual([{ cursor: "cur_now", signal, transport: "auto" }]);
  });

  it("reports ready only once the stream has a position, and closes it on break", async () => {
    const log: string[] = [];
    class FakeStream {
      cursor: string | undefined;
      async *[Symbol.asyncIterator]() {
        try {
          await new Promise((r) => setTimeout(r, 50));
          this.cursor = "c0";
          log.push("positioned");
          await new Promise((r) => setTimeout(r, 50));
          yield event("evt_1", "cnv_a");
          yield event("evt_2", "cnv_a");
        } finally {
          log.push("closed");
        }
      }
    }
    const client = { events: { stream: () => new FakeStream() } } as unknown as FluxraClient;
    const signal = new AbortController().signal;
    for await (const e of followEvents(client, { signal, onReady: () => log.push("ready") })) {
      log.push(e.id);
      break;
    }
    expect(log).toEqual(["positioned", "ready", "evt_1", "closed"]);
  });

  it("uses client.events.stream() when the SDK has it, filtered to the asked conversations", async () => {
    const calls: unknown[] = [];
    const client = {
      events: {
        async *stream(options: unknown) {
          calls.push(options);
          yield event("evt_1", "cnv_a");
          yield event("evt_2", "cnv_b");
          yield event("evt_3", "cnv_a");
        },
      },
      // The polling fallback would call these: they must stay untouched.
      conversations: {
        list: () => {
          throw new Error("polled although the event feed exists");
        },
      },
    } as unknown as FluxraClient;
    const signal = new AbortController().signal;
    const ready: string[] = [];
    const seen: string[] = [];
    for await (const e of followEvents(client, {
      signal,
      conversationIds: ["cnv_a"],
      intervalMs: 250,
      onReady: (t) => ready.push(t),
    })) {
      seen.push(e.id);
    }
    expect(seen).toEqual(["evt_1", "evt_3"]);
    expect(ready).toEqual(["events"]);
    expect(calls).toEqual([{ signal, transport: "auto", pollIntervalMs: 250 }]);
  });
});
