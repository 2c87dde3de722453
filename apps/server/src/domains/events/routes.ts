import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "../../platform/openapi.js";
import { LimitQuerySchema, requestIdHeader } from "../../platform/schemas.js";
import { EventCursorSchema, EventPageSchema, WaitQuerySchema } from "./schemas.js";

/** `GET /api/events` (listEvents): long-poll (JSON) or Server-Sent Events, by `Accept`. */
export const listEventsRoute = createRoute({
  method: "get",
  path: "/api/events",
  operationId: "listEvents",
  tags: ["Events"],
  security: [{ accessToken: [] }],
  request: {
    headers: z.object({ "Last-Event-ID": EventCursorSchema.optional(), ...requestIdHeader }),
    query: z
      .object({
        cursor: EventCursorSchema.optional(),
        wait: WaitQuerySchema,
        limit: LimitQuerySchema,
      })
      .strict(),
  },
  responses: {
    200: {
      description: "The events after the cursor, or the feed as Server-Sent Events.",
      content: {
        "application/json": { schema: EventPageSchema },
        "text/event-stream": { schema: z.string() },
      },
    },
    ...errorResponses(401, 410, 422, 429, 500, 503),
  },
});
