import { z } from "@hono/zod-openapi";
import { ConversationIdSchema, TimestampSchema } from "../../platform/schemas.js";
import {
  ConversationSchema,
  MemberSchema,
  MessageSchema,
  ReadMarkerSchema,
} from "../chat/schemas.js";

/**
 * The Events schemas, mirroring `openapi/components/schemas/events.yaml` (the drift test
 * compares what these generate with the spec).
 */

export const EventIdSchema = z
  .string()
  .regex(/^evt_[0-9a-hjkmnp-tv-z]{26}$/)
  .min(30)
  .max(30)
  .openapi("EventId");

export const EventCursorSchema = z.string().min(1).max(512).openapi("EventCursor");

/** An event of one family: `types` its type names, `data` its resource. */
function eventSchema<T extends [string, ...string[]], D extends z.ZodType>(
  types: T,
  data: D,
  name: string,
) {
  return z
    .object({
      id: EventIdSchema,
      type: z.enum(types),
      created_at: TimestampSchema,
      conversation_id: ConversationIdSchema,
      data,
    })
    .strict()
    .openapi(name);
}

export const MessageEventSchema = eventSchema(
  ["message.created", "message.updated", "message.deleted"],
  MessageSchema,
  "MessageEvent",
);
export const ConversationEventSchema = eventSchema(
  ["conversation.created", "conversation.updated"],
  ConversationSchema,
  "ConversationEvent",
);
export const MemberEventSchema = eventSchema(
  ["member.added", "member.removed", "member.updated"],
  MemberSchema,
  "MemberEvent",
);
export const ReadEventSchema = eventSchema(["read.updated"], ReadMarkerSchema, "ReadEvent");

export const EventSchema = z
  .discriminatedUnion("type", [
    MessageEventSchema,
    ConversationEventSchema,
    MemberEventSchema,
    ReadEventSchema,
  ])
  .openapi("Event");

export const EventPageSchema = z
  .object({ data: z.array(EventSchema).max(100), next_cursor: EventCursorSchema })
  .strict()
  .openapi("EventPage");

/** Query `wait`: 0–60 seconds, default 0; decimal digits only (like `limit`). */
export const WaitQuerySchema = z
  .preprocess(
    (value) => (typeof value === "string" && /^[0-9]{1,6}$/.test(value) ? Number(value) : value),
    z.number().int().min(0).max(60),
  )
  .default(0)
  .openapi({ type: "integer", format: "int32", minimum: 0, maximum: 60 });
