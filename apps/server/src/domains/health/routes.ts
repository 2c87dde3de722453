import { createRoute, z } from "@hono/zod-openapi";
import { apiVersion } from "../../generated/spec.js";
import { errorResponses, jsonResponse } from "../../platform/openapi.js";
import { plainHeaders, TimestampSchema } from "../../platform/schemas.js";

/** `Health` component. */
export const HealthSchema = z
  .object({
    status: z.enum(["healthy", "unhealthy"]),
    timestamp: TimestampSchema,
    version: z.enum([apiVersion]),
  })
  .strict()
  .openapi("Health");

/** `GET /health` (getHealth). */
export const getHealthRoute = createRoute({
  method: "get",
  path: "/health",
  operationId: "getHealth",
  tags: ["Health"],
  summary: "Check service health",
  security: [],
  request: { headers: plainHeaders },
  responses: {
    200: jsonResponse(HealthSchema, "The service is healthy."),
    ...errorResponses(500),
    503: jsonResponse(HealthSchema, "The database cannot be reached."),
  },
});
