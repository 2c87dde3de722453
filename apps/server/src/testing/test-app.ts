import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { createApp, type FluxraApp } from "../app.js";
import { createManualClock, type ManualClock } from "../platform/clock.js";
import type { ConfigInput } from "../platform/config.js";
import { fastLaneServer } from "../platform/fast-lane.js";
import { createTestPostgresStore, testBackend } from "../storage/postgres/test-store.js";
import { createSqliteStore, type SqliteStore } from "../storage/sqlite/index.js";
import { ResponseValidator } from "./response-validator.js";
import { loadSpec } from "./spec.js";

/** Any JSON value; tests read response bodies freely. */
// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked against the spec, not the type system
export type Json = any;

/** A response already checked against the spec. */
export interface TestResponse {
  status: number;
  headers: Headers;
  /** Raw body text. */
  text: string;
  /** Parsed JSON body, or undefined when the body is empty. */
  body: Json;
}

/** Request options: `json` is sent as the body, `token` as `Authorization: Bearer`. */
export interface TestRequestInit extends Omit<RequestInit, "body"> {
  json?: unknown;
  body?: RequestInit["body"];
  token?: string;
  headers?: Record<string, string>;
}

/** Options of {@link createTestApp}. */
export interface TestAppOptions {
  /** Overrides on top of the test defaults (generous rate limits). */
  config?: ConfigInput;
  /** Reuse a database file (e.g. to test restarts); default a fresh temp file. */
  dbPath?: string;
  clock?: ManualClock;
  /** Abort it to shut the app down (held event long-polls answer, streams end). */
  shutdown?: AbortSignal;
}

/** A Fluxra app on a temp SQLite file with a manual clock; every response is spec-checked. */
export interface TestApp {
  app: FluxraApp;
  store: SqliteStore;
  clock: ManualClock;
  dbPath: string;
  /** In-process request (`app.request`); throws if the response violates the spec. */
  request(path: string, init?: TestRequestInit): Promise<TestResponse>;
  /** Serves the app over real HTTP on 127.0.0.1 (port 0); `fetch` is spec-checked too. */
  listen(): Promise<{ baseUrl: string; fetch: TestApp["request"]; close(): Promise<void> }>;
  /** Closes servers and the database and deletes the temp directory. */
  close(): Promise<void>;
}

let validator: ResponseValidator | undefined;

/** The shared validator over the hand-authored spec. */
export function specValidator(): ResponseValidator {
  validator ??= new ResponseValidator(loadSpec());
  return validator;
}

/** Test defaults: limits high enough never to trip by accident, but counted (headers are real). */
const testConfig: ConfigInput = {
  rateLimits: {
    enabled: true,
    rules: {
      register: { limit: 10_000, windowSeconds: 3600 },
      token: { limit: 10_000, windowSeconds: 60 },
      write: { limit: 10_000, windowSeconds: 60 },
      read: { limit: 10_000, windowSeconds: 60 },
      public: { limit: 10_000, windowSeconds: 60 },
    },
  },
};

function toRequestInit(init: TestRequestInit = {}): RequestInit {
  const { json, token, headers = {}, body: rawBody, ...rest } = init;
  const out: Record<string, string> = { ...headers };
  if (token !== undefined) out["authorization"] = `Bearer ${token}`;
  let body = rawBody;
  if (json !== undefined) {
    body = JSON.stringify(json);
    out["content-type"] ??= "application/json";
  }
  return { ...(rest as RequestInit), headers: out, ...(body === undefined ? {} : { body }) };
}

/** Reads and spec-checks a response; throws with every violation listed. */
export async function checkedResponse(
  method: string,
  url: string,
  res: Response,
): Promise<TestResponse> {
  const text = await res.text();
  const path = new URL(url, "http://local").pathname;
  const problems = specValidator().check({
    method,
    path,
    status: res.status,
    headers: res.headers,
    body: text,
  });
  if (problems.length > 0) throw new Error(`Spec violation:\n${problems.join("\n")}`);
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: text ? JSON.parse(text) : undefined,
  };
}

/**
 * Builds the app on a fresh temp SQLite file (WAL) with a manual clock.
 *
 * @example
 * const t = createTestApp();
 * const res = await t.request("/health");
 * expect(res.body.status).toBe("healthy");
 * await t.close();
 */
export function createTestApp(options: TestAppOptions = {}): TestApp {
  const dir = options.dbPath ? undefined : mkdtempSync(join(tmpdir(), "fluxra-test-"));
  const dbPath = options.dbPath ?? join(dir as string, "fluxra.db");
  // FLUXRA_TEST_DB=postgres runs the same suites on PostgreSQL (a schema per dbPath, so apps
  // given the same dbPath share it; `db.raw.prepare(…)` answers tests that look into tables).
  const store =
    testBackend === "postgres"
      ? (createTestPostgresStore({ shareKey: dbPath }) as unknown as SqliteStore)
      : createSqliteStore(dbPath);
  const clock = options.clock ?? createManualClock();
  const config: ConfigInput = {
    ...testConfig,
    ...options.config,
    rateLimits: {
      enabled: options.config?.rateLimits?.enabled ?? true,
      rules: { ...testConfig.rateLimits?.rules, ...options.config?.rateLimits?.rules },
    },
  };
  const app = createApp({
    store,
    clock,
    config,
    ...(options.shutdown ? { shutdown: options.shutdown } : {}),
  });
  const closers: (() => Promise<void>)[] = [];

  const request: TestApp["request"] = async (path, init) => {
    const requestInit = toRequestInit(init);
    const res = await app.request(path, requestInit);
    return checkedResponse(requestInit.method ?? "GET", path, res);
  };

  return {
    app,
    store,
    clock,
    dbPath,
    request,
    async listen() {
      const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
        // Served as the CLI serves it: the fast lane (platform/fast-lane.ts) in front of Hono.
        const createServer = fastLaneServer(app);
        const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1", createServer }, () =>
          resolve(s),
        );
      });
      const { port } = server.address() as AddressInfo;
      const baseUrl = `http://127.0.0.1:${port}`;
      const close = () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
      closers.push(close);
      return {
        baseUrl,
        close,
        fetch: async (path, init) => {
          const requestInit = toRequestInit(init);
          const res = await fetch(`${baseUrl}${path}`, requestInit);
          return checkedResponse(requestInit.method ?? "GET", path, res);
        },
      };
    },
    async close() {
      for (const close of closers) await close();
      await store.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
