import { createRoute, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { readBody } from "./body.js";
import { errorResponse, toApiError } from "./errors.js";
import { createRouter, mountDomain } from "./openapi.js";

/**
 * The Hono behaviour the platform relies on beyond Hono's documented API. Each case fails when a
 * Hono or @hono/zod-openapi upgrade changes it (the upgrade must then change the platform):
 *
 * - `readBody` primes `c.req.bodyCache` so the JSON validator reads the counted body (and `{}`
 *   for a bodiless POST) instead of the stream a second time;
 * - idempotency wraps `c.json` per request to keep the JSON a handler answers with;
 * - `mountDomain` documents each route with `openAPIRegistry.registerPath` and serves it with
 *   `openapi({ hide: true })`, and hands the synchronously validated path and query to
 *   `c.req.valid()` with `c.req.addValidatedData`.
 */

const echoRoute = createRoute({
  method: "post",
  path: "/api/echo/{id}",
  request: {
    params: z.object({ id: z.string().regex(/^[a-z]+$/) }),
    query: z.object({ n: z.string().optional() }).strict(),
    body: {
      required: true,
      content: { "application/json": { schema: z.object({ text: z.string().optional() }) } },
    },
  },
  responses: {
    200: {
      description: "Echo.",
      content: { "application/json": { schema: z.object({}).passthrough() } },
    },
  },
});

/** One app: readBody, a `c.json` wrapper like idempotency's, one mounted route. */
function echoApp() {
  const answered: string[] = [];
  const app = createRouter();
  app.use("*", readBody(1024));
  app.use("*", async (c, next) => {
    const json = c.json;
    c.json = ((object: unknown, ...rest: unknown[]) => {
      answered.push(JSON.stringify(object));
      return (json as (...args: unknown[]) => Response)(object, ...rest);
    }) as typeof c.json;
    await next();
  });
  mountDomain(
    app,
    { echo: echoRoute },
    {
      echo: {
        handler: async (c) =>
          c.json(
            { param: c.req.valid("param"), query: c.req.valid("query"), json: c.req.valid("json") },
            200,
          ),
      },
    },
  );
  app.onError((err, c) => errorResponse(c, toApiError(err)));
  return { app, answered };
}

const post = (app: ReturnType<typeof echoApp>["app"], url: string, init: RequestInit = {}) =>
  app.request(url, { method: "POST", headers: { "content-type": "application/json" }, ...init });

describe("Hono internals the platform relies on", () => {
  it("the JSON validator reads the body readBody cached (declared length and chunked)", async () => {
    const { app } = echoApp();
    const declared = await post(app, "/api/echo/abc?n=1", { body: '{"text":"hi"}' });
    expect(declared.status).toBe(200);
    expect(await declared.json()).toEqual({
      param: { id: "abc" },
      query: { n: "1" },
      json: { text: "hi" },
    });
    // A stream without Content-Length is counted by readBody; the validator must not read it again.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"text":"streamed"}'));
        controller.close();
      },
    });
    const chunked = await post(app, "/api/echo/abc", { body: stream, duplex: "half" } as never);
    expect(chunked.status).toBe(200);
    expect(((await chunked.json()) as { json: unknown }).json).toEqual({ text: "streamed" });
  });

  it("a bodiless POST (only white space) reads as {} through the cached body", async () => {
    const { app } = echoApp();
    const res = await post(app, "/api/echo/abc", { body: " \r\n " });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { json: unknown }).json).toEqual({});
  });

  it("a handler's c.json goes through the per-request wrapper", async () => {
    const { app, answered } = echoApp();
    const res = await post(app, "/api/echo/xyz", { body: "{}" });
    expect(res.status).toBe(200);
    expect(answered).toEqual([JSON.stringify(await res.json())]);
  });

  it("documents the mounted route once and validates path and query before the handler", async () => {
    const { app } = echoApp();
    const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
    expect(Object.keys(doc.paths ?? {})).toEqual(["/api/echo/{id}"]);
    const badPath = await post(app, "/api/echo/ABC", { body: "{}" });
    expect(badPath.status).toBe(422);
    expect(
      ((await badPath.json()) as { error: { details: { path: string }[] } }).error.details[0]?.path,
    ).toBe("path.id");
    const badQuery = await post(app, "/api/echo/abc?zz=1", { body: "{}" });
    expect(
      ((await badQuery.json()) as { error: { details: { path: string }[] } }).error.details[0]
        ?.path,
    ).toBe("query.zz");
  });
});
