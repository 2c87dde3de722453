import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { domains } from "./domains/index.js";
import { apiTitle, apiVersion } from "./generated/spec.js";
import { createKeyRing } from "./platform/auth/keyring.js";
import { createTokenService } from "./platform/auth/tokens.js";
import { type Clock, systemClock } from "./platform/clock.js";
import { type ConfigInput, resolveConfig } from "./platform/config.js";
import type { AppDeps, AppEnv } from "./platform/env.js";
import { errorResponse, toApiError } from "./platform/errors.js";
import { attachFastLane } from "./platform/fast-lane.js";
import { createGuard } from "./platform/guard.js";
import { singleHostHeader } from "./platform/host-header.js";
import { createIdGenerator } from "./platform/ids.js";
import { createRouteMiss } from "./platform/not-found.js";
import { createRouter, type MountedOperation, mountedOperations } from "./platform/openapi.js";
import { createCursorCodec } from "./platform/pagination.js";
import { createRequestStart, requestContext } from "./platform/request-context.js";
import type { Store } from "./store.js";

export { type Domain, domains } from "./domains/index.js";

/** Options of {@link createApp}. */
export interface CreateAppOptions {
  store: Store;
  /** Defaults to the system clock; tests inject a manual one. */
  clock?: Clock;
  config?: ConfigInput;
  /** Where unexpected errors (500 `internal_error`) are reported; defaults to `console.error`. */
  onInternalError?: (err: unknown) => void;
  /** Abort it to shut down: held event long-polls answer at once and event streams end. */
  shutdown?: AbortSignal;
}

/** The app returned by {@link createApp}. */
export type FluxraApp = OpenAPIHono<AppEnv>;

/**
 * Builds the whole Fluxra API on `store`, without I/O of its own: tests call `app.request()`,
 * the CLI serves `app.fetch` with @hono/node-server.
 *
 * @example
 * const app = createApp({ store: createSqliteStore("./.fluxra/fluxra.db") });
 */
export function createApp(options: CreateAppOptions): FluxraApp {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const config = resolveConfig(options.config);
  const ids = createIdGenerator(clock);
  const keys = createKeyRing(store.platform, () => clock.now());
  const tokens = createTokenService(keys, clock, config);
  const cursors = createCursorCodec(() => keys.current().cursorSecret);
  const guard = createGuard({ store, clock, config, keys, tokens });
  const deps: AppDeps = { store, clock, config, ids, keys, tokens, cursors, guard };
  if (options.shutdown) deps.shutdown = options.shutdown;
  const onInternalError = options.onInternalError ?? ((err) => console.error(err));

  const app = createRouter();
  // The app-wide middleware, kept so the fast lane can check it replicates exactly these.
  const appWide: MiddlewareHandler<AppEnv>[] = [
    singleHostHeader(),
    requestContext(ids, config.trustProxy),
  ];
  for (const middleware of appWide) app.use("*", middleware);
  const withCors = config.corsOrigins.length > 0;
  if (withCors) {
    const any = config.corsOrigins.includes("*");
    app.use(
      "*",
      cors({
        origin: any ? "*" : config.corsOrigins,
        allowMethods: ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
        allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
        exposeHeaders: [
          "X-Request-Id",
          "RateLimit-Limit",
          "RateLimit-Remaining",
          "RateLimit-Reset",
          "Retry-After",
          "Idempotent-Replayed",
          "WWW-Authenticate",
        ],
        credentials: false,
        maxAge: 600,
      }),
    );
  }
  // Secrets (signing key, cursor key) load from the database once; /health must not depend on it.
  const keysReady: MiddlewareHandler<AppEnv> = async (_c, next) => {
    await keys.ready();
    await next();
  };
  appWide.push(keysReady);
  app.use("/api/*", keysReady);
  const operations: MountedOperation[] = [];
  for (const domain of domains) {
    const router = domain(deps);
    app.route("/", router);
    operations.push(...mountedOperations(router));
  }

  const miss = createRouteMiss(app as never);
  app.notFound((c) => errorResponse(c, miss(c.req.method, c.req.path)));
  const onError = (err: unknown, c: Context<AppEnv>): Response => {
    const apiError = toApiError(err);
    if (apiError.code === "internal_error") onInternalError(err);
    if (apiError.code === "service_unavailable") store.reportFailure?.(apiError.cause ?? err);
    return errorResponse(c, apiError);
  };
  app.onError(onError);
  // Below Hono, for real HTTP (platform/fast-lane.ts); not with CORS, whose headers only Hono adds.
  if (!withCors) {
    attachFastLane(app, {
      operations,
      appWide,
      start: createRequestStart(ids, config.trustProxy),
      keys,
      onError,
    });
  }
  return app;
}

/** The OpenAPI 3.1 document generated from the registered routes (compared to openapi/ in tests). */
export function generateOpenApiDocument(app: FluxraApp): Record<string, unknown> {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: apiTitle, version: apiVersion },
  }) as unknown as Record<string, unknown>;
}
