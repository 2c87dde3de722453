import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./env.js";
import type { IdGenerator } from "./ids.js";

const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (the caller's own `X-Request-Id` when it is sane, else `req_…`),
 * sends it back on every response, and records the client address.
 */
export function requestContext(ids: IdGenerator, trustProxy: boolean): MiddlewareHandler<AppEnv> {
  const start = createRequestStart(ids, trustProxy);
  return async (c, next) => {
    const requestId = start(c);
    await next();
    if (!c.res.headers.has("X-Request-Id")) c.res.headers.set("X-Request-Id", requestId);
  };
}

/**
 * The work of {@link requestContext} before the route runs, as a plain function (the fast lane,
 * platform/fast-lane.ts, runs it too): sets the request id, client address and an empty
 * `rawBody`, and the `X-Request-Id` response header. Returns the request id.
 */
export function createRequestStart(
  ids: IdGenerator,
  trustProxy: boolean,
): (c: Context<AppEnv>) => string {
  return (c) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && saneRequestId.test(incoming) ? incoming : ids.next("req");
    c.set("requestId", requestId);
    c.set("clientAddress", clientAddress(c.req.header("x-forwarded-for"), c.env, trustProxy));
    c.set("rawBody", "");
    // Set before the handler runs so it lands on every response (errors included) without
    // rewriting the finished response's headers afterwards.
    c.header("X-Request-Id", requestId);
    return requestId;
  };
}

/**
 * The socket's address; `X-Forwarded-For` only counts behind a trusted proxy (else it is
 * spoofable). Even then only its last entry: the proxy appends the address it saw, while every
 * entry before it came from the client and could rotate freely to escape rate limits.
 */
function clientAddress(
  forwardedFor: string | undefined,
  env: AppEnv["Bindings"] | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy && forwardedFor) {
    const last = forwardedFor.split(",").at(-1)?.trim();
    if (last) return last;
  }
  return env?.incoming?.socket?.remoteAddress ?? "local";
}
