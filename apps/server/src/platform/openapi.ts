import { type Hook, OpenAPIHono, type RouteConfig, type z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";
import type { Operation } from "../generated/routes.js";
import { type Invalid, requestValidators, type Validator } from "../generated/validators.js";
import type { AppEnv } from "./env.js";
import { ApiError, type ErrorDetail } from "./errors.js";

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

/** A router with the shared validation hook (every failure → 422 `validation_failed`). */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/**
 * Mounts one domain on `router`: each generated route (generated/routes.ts) with its handler
 * and middleware from the domain's handlers object.
 *
 * The full route goes into the OpenAPI document (the spec drift test compares it with openapi/).
 * For serving, path and query are validated by one synchronous middleware ({@link validateRequest})
 * instead of @hono/zod-openapi's per-part async validators, and the declared request headers (only
 * optional strings, which no value can fail) are documented but not re-checked: together ~20 µs of
 * a ~120 µs request in the bench. Bodies still go through @hono/zod-openapi (media-type gate, JSON
 * parsing, schema). Routes are registered with fewer path parameters first, so `/api/agents/me`
 * is not shadowed by `/api/agents/{agent_id}`.
 */
export function mountDomain<R extends Readonly<Record<string, RouteConfig>>>(
  router: OpenAPIHono<AppEnv>,
  routes: R,
  handlers: { readonly [K in keyof R]: Operation<R[K]> },
): void {
  const params = (path: string) => path.split("{").length;
  const ordered = Object.entries(routes).sort(([, a], [, b]) => params(a.path) - params(b.path));
  for (const [operationId, route] of ordered) {
    const operation = (handlers as unknown as Record<string, Operation<RouteConfig> | undefined>)[
      operationId
    ];
    if (!operation) throw new Error(`no handler for ${operationId}`);
    router.openAPIRegistry.registerPath(route);
    const { query, params: path, headers: _headers, ...request } = route.request ?? {};
    // Operations of the spec have precompiled validators; a route outside it (tests) uses its zod.
    const precompiled = requestValidators[operationId] ?? {};
    const validate = validateRequest(
      query === undefined ? undefined : (precompiled.query ?? viaZod(query as z.ZodType, "query")),
      path === undefined ? undefined : (precompiled.params ?? viaZod(path as z.ZodType, "param")),
    );
    const middleware = [...(operation.middleware ?? []), ...(validate ? [validate] : [])];
    router.openapi({ ...route, request, hide: true, middleware }, operation.handler as never);
  }
}

/**
 * Validates path parameters and the query string, synchronously, with the precompiled
 * validators generated from the spec (generated/validators.ts: the same details and values as
 * the routes' zod, proven on every operation by validators.test.ts), and hands the parsed values
 * to `c.req.valid("param" | "query")`. Failures throw the same 422 `validation_failed` as
 * {@link validationHook}. The query is read like Hono's validator does (a repeated key becomes
 * an array).
 */
function validateRequest(
  query: Validator | undefined,
  params: Validator | undefined,
): MiddlewareHandler<AppEnv> | undefined {
  if (query === undefined && params === undefined) return undefined;
  return (c, next) => {
    const out: Invalid[] = [];
    let parsedQuery: Record<string, unknown> | undefined;
    let parsedParams: Record<string, unknown> | undefined;
    if (query !== undefined) {
      // Null prototype: `?__proto__=1` must stay a key (an unknown one → 422), not vanish.
      const value: Record<string, string | string[]> = Object.create(null);
      for (const [key, values] of Object.entries(c.req.queries())) {
        value[key] = values.length === 1 ? (values[0] as string) : values;
      }
      parsedQuery = query(value, out);
      if (out.length > 0) throw invalid(out);
    }
    if (params !== undefined) {
      parsedParams = params(c.req.param() as Record<string, unknown>, out);
      if (out.length > 0) throw invalid(out);
    }
    if (parsedQuery !== undefined) c.req.addValidatedData("query", parsedQuery);
    if (parsedParams !== undefined) c.req.addValidatedData("param", parsedParams);
    return next();
  };
}

/** A zod schema as a {@link Validator}, with the same details as {@link validationHook}. */
function viaZod(schema: z.ZodType, target: string): Validator {
  return (input, out) => {
    const result = schema.safeParse(input);
    if (result.success) return result.data as Record<string, unknown>;
    out.push(...issuesToDetails(target, result.error.issues as unknown as Issue[]));
    return {};
  };
}

function invalid(details: Invalid[]): ApiError {
  return new ApiError("validation_failed", "The request is invalid.", { details });
}

/**
 * A JSON response whose body was serialized elsewhere (e.g. kept as JSON by the store), typed
 * as if `c.json(value, status)` had built it. The spec checks every response's actual bytes in
 * tests (createTestApp), so the cast cannot hide a wrong shape for long.
 */
export function jsonText<T, S extends ContentfulStatusCode>(
  c: Context,
  text: string,
  status: S,
): Response & TypedResponse<JSONParsed<T>, S, "json"> {
  return c.body(text, status, { "content-type": "application/json" }) as unknown as Response &
    TypedResponse<JSONParsed<T>, S, "json">;
}
