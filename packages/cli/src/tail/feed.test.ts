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
