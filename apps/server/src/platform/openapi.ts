import { type Hook, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";
import type { AppEnv } from "./env.js";
import { ApiError, type ErrorDetail, errorCodes } from "./errors.js";

const targetPrefix: Record<string, string> = {
  json: "body",
  query: "query",
  param: "path",
  header: "header",
  cookie: "cookie",
  form: "body",
};

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/** Turns zod issues into `details` entries with dotted paths like `body.tags.3` or `query.limit`. */
export function issuesToDetails(target: string, issues: readonly Issue[]): ErrorDetail[] {
  const prefix = targetPrefix[target] ?? target;
  const details: ErrorDetail[] = [];
  for (const issue of issues) {
    const base = [prefix, ...issue.path.map(String)].join(".");
    if (issue.code === "unrecognized_keys" && issue.keys) {
      for (const key of issue.keys) {
        details.push({
          path: `${base}.${key}`,
          message: "Unknown field; it is not writable here.",
        });
      }
    } else {
      details.push({ path: base, message: issue.message });
    }
  }
  return details;
}

/** Every validation failure, whatever the route, becomes 422 `validation_failed` with `details`. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (!result.success) {
    const issues = (result.error as { issues: Issue[] }).issues;
    throw new ApiError("validation_failed", "The request is invalid.", {
      details: issuesToDetails(result.target, issues),
    });
  }
};

/**
 * A router for one domain: routes registered with `router.openapi(route, handler)` are
 * validated with the shared hook and end up in the generated OpenAPI document.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const register = router.openapi.bind(router);
  router.openapi = ((route: Parameters<typeof register>[0], ...rest: unknown[]) =>
    (register as (...args: unknown[]) => unknown)(
      strictQuery(route),
      ...rest,
    )) as typeof router.openapi;
  return router;
}

const noQuery = z.object({}).strict();

/**
 * Unknown query parameters on `/api` routes → 422, like unknown body fields (spec gap-filling
 * rule): a route without a query schema gets an empty strict one, a declared one is made strict.
 * `/health` ignores its query, so only `/api` routes are touched.
 */
function strictQuery<R extends { path: string; request?: { query?: unknown } }>(route: R): R {
  if (!route.path.startsWith("/api/")) return route;
  const query = route.request?.query;
  if (query === undefined) return { ...route, request: { ...route.request, query: noQuery } };
  if (query instanceof z.ZodObject) {
    return { ...route, request: { ...route.request, query: query.strict() } };
  }
  return route;
}

/** `ErrorCode` component: the closed catalog. */
export const ErrorCodeSchema = z.enum(errorCodes).openapi("ErrorCode");

/** `ErrorDetail` component. */
export const ErrorDetailSchema = z
  .object({ path: z.string().min(1).max(512), message: z.string().min(1).max(1000) })
  .strict()
  .openapi("ErrorDetail");

/** `ErrorBody` component. */
export const ErrorBodySchema = z
  .object({
    code: ErrorCodeSchema,
    message: z.string().min(1).max(1000),
    status: z.number().int().min(400).max(599).openapi({ format: "int32" }),
    request_id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/)
      .min(1)
      .max(128),
    details: z.array(ErrorDetailSchema).min(1).max(100).optional(),
    retry_after_ms: z.number().int().min(0).max(86_400_000).openapi({ format: "int64" }).optional(),
  })
  .strict()
  .openapi("ErrorBody");

/** `Error` component: the envelope of every non-2xx response. */
export const ErrorSchema = z.object({ error: ErrorBodySchema }).strict().openapi("Error");

const errorDescriptions: Record<number, string> = {
  400: "The body is not valid JSON.",
  401: "Missing, invalid or expired credentials.",
  403: "The credential may not do this.",
  404: "Not found (or not visible to the caller).",
  409: "Conflict with the current state.",
  413: "The body is larger than 64 KiB.",
  422: "The request failed validation.",
  429: "Too many requests.",
  503: "The database is unavailable.",
};

/**
 * The `responses` entries for the given error statuses, all with the shared envelope.
 *
 * @example
 * responses: { 200: {...}, ...errorResponses(401, 422) }
 */
export function errorResponses<S extends number>(...statuses: S[]) {
  const out = {} as Record<
    S,
    { description: string; content: { "application/json": { schema: typeof ErrorSchema } } }
  >;
  for (const status of statuses) {
    out[status] = {
      description: errorDescriptions[status] ?? "Error.",
      content: { "application/json": { schema: ErrorSchema } },
    };
  }
  return out;
}

/** A JSON response entry for `responses`. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A JSON request body entry for `request.body`. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}

/**
 * A JSON response whose body was serialized elsewhere (e.g. kept as JSON by the store), typed
 * as if `c.json(value, status)` had built it. The spec checks every response's actual bytes in
 * tests (createTestApp), so the cast cannot hide a wrong shape for long.
 */
export function jsonText<T, S extends ContentfulStatusCode>(
  c: Context,
  text: string | Uint8Array<ArrayBuffer>,
  status: S,
): Response & TypedResponse<JSONParsed<T>, S, "json"> {
  return c.body(text, status, { "content-type": "application/json" }) as unknown as Response &
    TypedResponse<JSONParsed<T>, S, "json">;
}
