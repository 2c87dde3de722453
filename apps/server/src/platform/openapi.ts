import { type Hook, OpenAPIHono, type RouteConfig, type z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler, TypedResponse } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";
import type { Operation } from "../generated/routes.js";
import {
  type BodyValidator,
  bodyValidators,
  type Invalid,
  requestValidators,
  type Validator,
} from "../generated/validators.js";
import { readsBody } from "./body.js";
import type { AppEnv } from "./env.js";
import { ApiError, type ErrorDetail } from "./errors.js";
import { type ZodIssueLike, zodDetails } from "./zod-details.js";

const targetPrefix: Record<string, string> = {
  json: "body",
  query: "query",
  param: "path",
  header: "header",
  cookie: "cookie",
  form: "body",
};

type Issue = ZodIssueLike;

/** Turns zod issues into `details` entries with dotted paths like `body.tags.3` or `query.limit`. */
export function issuesToDetails(target: string, issues: readonly Issue[]): ErrorDetail[] {
  return zodDetails(targetPrefix[target] ?? target, issues);
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

/** One operation as {@link mountDomain} serves it: what the fast lane (platform/fast-lane.ts) runs. */
export interface MountedOperation {
  operationId: string;
  /** Upper case, e.g. `POST`. */
  method: string;
  /** The spec's path template, e.g. `/api/conversations/{conversation_id}/messages`. */
  path: string;
  /** The route's middleware (its guard) followed by the request validation, in order. */
  middleware: readonly MiddlewareHandler<AppEnv>[];
  handler: (c: Context<AppEnv>) => unknown;
}

const mounted = new WeakMap<OpenAPIHono<AppEnv>, MountedOperation[]>();

/** The operations {@link mountDomain} put on `router` (empty for any other router). */
export function mountedOperations(router: OpenAPIHono<AppEnv>): readonly MountedOperation[] {
  return mounted.get(router) ?? [];
}

/**
 * Mounts one domain on `router`: each generated route (generated/routes.ts) with its handler
 * and middleware from the domain's handlers object.
 *
 * The full route goes into the OpenAPI document (the spec drift test compares it with openapi/).
 * For serving, path, query and JSON body are validated by one synchronous middleware
 * ({@link validateRequest}) with the precompiled validators of generated/validators.ts instead of
 * @hono/zod-openapi's per-part async validators (issue 18), and the declared request headers
 * (only optional strings, which no value can fail) are documented but not re-checked. The body
 * step needs the body already read by the route's guard (platform/guard.ts marks its middleware
 * {@link readsBody}); a route without one keeps @hono/zod-openapi's body validation. Routes are
 * registered with fewer path parameters first, so `/api/agents/me` is not shadowed by
 * `/api/agents/{agent_id}`.
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
    const { query, params: path, headers: _headers, body, ...request } = route.request ?? {};
    // Operations of the spec have precompiled validators; a route outside it (tests) uses its zod.
    const precompiled = requestValidators[operationId] ?? {};
    const middleware = operation.middleware ?? [];
    const bodyValidator = body ? jsonBodyValidator(operationId, body, middleware) : undefined;
    const validate = validateRequest(
      query === undefined ? undefined : (precompiled.query ?? viaZod(query as z.ZodType, "query")),
      path === undefined ? undefined : (precompiled.params ?? viaZod(path as z.ZodType, "param")),
      bodyValidator,
    );
    const served = bodyValidator || !body ? request : { ...request, body };
    const chain = [...middleware, ...(validate ? [validate] : [])];
    router.openapi(
      { ...route, request: served, hide: true, middleware: chain },
      operation.handler as never,
    );
    // Only a route whose body validation is the precompiled one can skip Hono's own validators.
    if (bodyValidator || !body) {
      const list = mounted.get(router) ?? [];
      list.push({
        operationId,
        method: route.method.toUpperCase(),
        path: route.path,
        middleware: chain,
        handler: operation.handler as unknown as MountedOperation["handler"],
      });
      mounted.set(router, list);
    }
  }
}

/** How a JSON body is validated in {@link validateRequest}. */
interface JsonBody {
  /** `required` of the request body: without a Content-Type the body is then `{}`, validated. */
  required: boolean;
  validate: BodyValidator;
}

/**
 * The precompiled validator of an operation whose only request media type is JSON and whose
 * guard reads the body; undefined otherwise (the route then keeps @hono/zod-openapi's).
 */
function jsonBodyValidator(
  operationId: string,
  body: NonNullable<RouteConfig["request"]>["body"],
  middleware: readonly MiddlewareHandler<AppEnv>[],
): JsonBody | undefined {
  const content = body?.content ?? {};
  const types = Object.keys(content);
  if (types.length !== 1 || types[0] !== "application/json") return undefined;
  if (!middleware.some((m) => (m as { [readsBody]?: boolean })[readsBody] === true))
    return undefined;
  const validate =
    bodyValidators[operationId] ??
    (() => {
      const schema = (content["application/json"] as { schema: z.ZodType }).schema;
      return ((input: unknown, out: Invalid[]) =>
        viaZod(schema, "json")(input as Record<string, unknown>, out)) as BodyValidator;
    })();
  return { required: body?.required === true, validate };
}

/** @hono/zod-openapi's media-type gate for `application/json` (anything else → 415). */
const jsonRequest = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/**
 * Validates path parameters, the query string and the JSON body, synchronously, with the
 * precompiled validators generated from the spec (generated/validators.ts: the same details and
 * values as the routes' zod, proven on every operation by validators.test.ts), and hands the
 * parsed values to `c.req.valid("param" | "query" | "json")`. Failures throw the same 422
 * `validation_failed` as {@link validationHook}. The query is read like Hono's validator does (a
 * repeated key becomes an array). The body, read by the guard (`c.var.rawBody`, "" for no
 * input), goes through what @hono/zod-openapi does, in its order: the media-type gate (a
 * Content-Type that is not JSON, or a body without one → 415 → `invalid_json`), one JSON.parse
 * (malformed → 400 → `invalid_json`; no Content-Type on a required body → `{}`; on an optional
 * one → `{}` unvalidated), then the body's validator.
 */
function validateRequest(
  query: Validator | undefined,
  params: Validator | undefined,
  body?: JsonBody,
): MiddlewareHandler<AppEnv> | undefined {
  if (query === undefined && params === undefined && body === undefined) return undefined;
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
    let parsedBody: unknown;
    if (body !== undefined) {
      const contentType = c.req.header("content-type");
      const text = c.get("rawBody");
      if (contentType ? !jsonRequest.test(contentType) : text !== "") throw unsupported();
      if (!contentType) {
        parsedBody = {};
        if (body.required) parsedBody = body.validate(parsedBody, out);
      } else {
        let input: unknown;
        try {
          // What Request#json() would parse: the text without a byte order mark.
          input = JSON.parse(
            text === "" ? "{}" : text.charCodeAt(0) === 0xfeff ? text.slice(1) : text,
          );
        } catch {
          throw new HTTPException(400, { message: "Malformed JSON in request body" });
        }
        parsedBody = body.validate(input, out);
      }
      if (out.length > 0) throw invalid(out);
    }
    if (parsedQuery !== undefined) c.req.addValidatedData("query", parsedQuery);
    if (parsedParams !== undefined) c.req.addValidatedData("param", parsedParams);
    if (body !== undefined) c.req.addValidatedData("json", parsedBody as object);
    return next();
  };
}

const unsupported = () => new HTTPException(415, { message: "Unsupported Media Type" });

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
