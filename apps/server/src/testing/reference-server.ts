/**
 * `@fluxra/server/testing`: the reference server for other packages' tests (SDK, CLI, MCP): a
 * fresh SQLite file (WAL) in a temp directory, reached in-process through `fetch` or over real
 * HTTP on 127.0.0.1, port 0.
 *
 * A workspace-only entry: `publishConfig.exports` leaves it out, so the published package does
 * not ship it. It imports nothing but the server itself and its runtime dependencies (no ajv, no
 * spec checking: the server's own tests use `createTestApp` from `./index.ts` for that).
 *
 * @example
 * const server = await startReferenceServer();
 * const client = createFluxraClient({ baseUrl: server.baseUrl });
 * await server.close();
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { createApp } from "../app.js";
import { type Clock, systemClock } from "../platform/clock.js";
import type { ConfigInput } from "../platform/config.js";
import { fastLaneServer } from "../platform/fast-lane.js";
import { createSqliteStore, type SqliteStore } from "../storage/sqlite/index.js";

/** Options of {@link createReferenceServer}. */
export interface ReferenceServerOptions<C extends Clock = Clock> {
  /** The server's configuration; default rate limits off (tests send bursts). */
  config?: ConfigInput;
  /** The server's clock; default the system clock. Pass a manual clock to move time by hand. */
  clock?: C;
}

/** A reference server on a fresh database. */
export interface ReferenceServer<C extends Clock = Clock> {
  /** In-process, no port involved: hand it to `createFluxraClient({ fetch })`. */
  fetch(request: Request): Promise<Response>;
  /** The server's store (e.g. to run the event retention sweep now). */
  store: SqliteStore;
  clock: C;
  /** The SQLite file. */
  dbPath: string;
  /** Serves real HTTP on 127.0.0.1, port 0 (once; later calls answer the same URL). */
  listen(): Promise<string>;
  /** Stops serving (open connections included), closes the store and deletes the database. */
  close(): Promise<void>;
}

/** The defaults of the reference server under test: rate limits off. */
const testDefaults: ConfigInput = { rateLimits: { enabled: false } };

/** Builds the reference server on a fresh temp SQLite file; call `listen()` for real HTTP. */
export function createReferenceServer<C extends Clock = Clock>(
  options: ReferenceServerOptions<C> = {},
): ReferenceServer<C> {
  const dir = mkdtempSync(join(tmpdir(), "fluxra-ref-"));
  const dbPath = join(dir, "fluxra.db");
  const store = createSqliteStore(dbPath);
  const clock = (options.clock ?? systemClock) as C;
  const app = createApp({ store, clock, config: options.config ?? testDefaults });
  let listening: Promise<{ url: string; stop: () => Promise<void> }> | undefined;
  return {
    fetch: async (request) => app.fetch(request),
    store,
    clock,
    dbPath,
    async listen() {
      listening ??= new Promise((resolve) => {
        // Served as the CLI serves it: the fast lane (platform/fast-lane.ts) in front of Hono.
        const createServer = fastLaneServer(app);
        const server = serve(
          { fetch: app.fetch, port: 0, hostname: "127.0.0.1", createServer },
          (info) =>
            resolve({
              url: `http://127.0.0.1:${(info as AddressInfo).port}`,
              stop: () =>
                new Promise<void>((done) => {
                  server.close(() => done());
                  (server as { closeAllConnections?: () => void }).closeAllConnections?.();
                }),
            }),
        );
      });
      return (await listening).url;
    },
    async close() {
      if (listening) await (await listening).stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A reference server already serving HTTP at `baseUrl`. */
export type StartedReferenceServer<C extends Clock = Clock> = ReferenceServer<C> & {
  baseUrl: string;
};

/** {@link createReferenceServer}, already listening: `baseUrl` is its HTTP address. */
export async function startReferenceServer<C extends Clock = Clock>(
  options: ReferenceServerOptions<C> = {},
): Promise<StartedReferenceServer<C>> {
  const server = createReferenceServer(options);
  return Object.assign(server, { baseUrl: await server.listen() });
}
