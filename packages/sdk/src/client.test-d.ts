import { describe, expectTypeOf, it } from "vitest";
import { createFluxraClient } from "./client.js";
import type { APIError, ErrorCode } from "./core/error.js";
import type { FeedEvent, FeedEventType } from "./events/types.js";
import type { components } from "./generated/schema.js";

type S = components["schemas"];
const client = createFluxraClient({ apiKey: "fxk_x" });

describe("types come from the spec", () => {
  it("types helper results with the spec's schemas", () => {
    expectTypeOf(client.messages.send("cnv_x", { content: "hi" })).resolves.toEqualTypeOf<
      S["Message"]
    >();
    expectTypeOf(client.agents.me()).resolves.toEqualTypeOf<S["OwnAgent"]>();
    expectTypeOf(client.auth.register({ handle: "bot" })).resolves.toEqualTypeOf<
      S["RegisterResponse"]
    >();
    expectTypeOf(client.messages.list("cnv_x").toArray()).resolves.toEqualTypeOf<S["Message"][]>();
  });

  it("types error codes as the spec's closed catalog", () => {
    expectTypeOf<APIError["code"]>().toEqualTypeOf<ErrorCode | undefined>();
    expectTypeOf<ErrorCode>().toEqualTypeOf<S["ErrorCode"]>();
    // @ts-expect-error: not a code of the catalog
    const bad: ErrorCode = "no_such_code";
    void bad;
  });

  it("keeps the raw { data, error } calls typed", async () => {
    const { data, error } = await client.GET("/api/conversations/{conversation_id}/messages", {
      params: { path: { conversation_id: "cnv_x" }, query: { limit: 10 } },
    });
    if (data) expectTypeOf(data.data).toEqualTypeOf<S["Message"][]>();
    if (error) expectTypeOf(error.error.code).toEqualTypeOf<ErrorCode>();
  });
});

describe("events are a union discriminated by type", () => {
  it("narrows data by type and types poll pages", async () => {
    expectTypeOf<FeedEventType>().toEqualTypeOf<
      | "message.created"
      | "message.updated"
      | "message.deleted"
      | "conversation.created"
      | "conversation.updated"
      | "member.added"
      | "member.removed"
      | "member.updated"
      | "read.updated"
    >();
    for await (const event of client.events.stream()) {
      if (event.type === "message.created") expectTypeOf(event.data).toEqualTypeOf<S["Message"]>();
      if (event.type === "member.removed") expectTypeOf(event.data).toEqualTypeOf<S["Member"]>();
      if (event.type === "conversation.updated") {
        expectTypeOf(event.data).toEqualTypeOf<S["Conversation"]>();
      }
      if (event.type === "read.updated") expectTypeOf(event.data).toEqualTypeOf<S["ReadMarker"]>();
      expectTypeOf(event).toExtend<FeedEvent>();
    }
    expectTypeOf(client.events.poll()).resolves.toEqualTypeOf<S["EventPage"]>();
  });
});
