import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type ConfigInput, createApp, createManualClock, createSqliteStore } from "@fluxra/server";
import { packageDir } from "./dist.js";

/** A running reference server (real SQLite file in WAL mode) and the ways to reach it. */
export interface TestServer {
  /** In-process: hand this to `createFluxraClient({ fetch })`, no port involved. */
  fetch: (request: Request) => Promise<Response>;
  /** The server's store (e.g. to run the event retention sweep now). */
  store: ReturnType<typeof createSqliteStore>;
  /** The server's clock, moved by hand (token expiry, rate-limit windows). */
  clock: ReturnType<typeof createManualClock>;
  /** Starts real HTTP on 127.0.0.1, port 0; returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** The part of @hono/node-server used here. */
interface NodeServer {
  serve(
    options: {
      fetch: (request: Request) => Response | Promise<Response>;
      port: number;
      hostname: string;
    },
    listening: (info: AddressInfo) => void,
  ): { close(callback: () => void): void };
}

/** The node-server adapter the reference server's CLI uses, resolved from the server package. */
async function loadNodeServer(): Promise<NodeServer> {
  const serverDir = realpathSync(join(packageDir, "node_modules/@fluxra/server"));
  const entry = createRequire(join(serverDir, "package.json")).resolve("@hono/node-server");
  return import(pathToFileURL(entry).href);
}

/** Starts the reference server on a fresh database; rate limits off unless `config` says so. */
export function startServer(config: ConfigInput = { rateLimits: { enabled: false } }): TestServer {
  const dir = mkdtempSync(join(tmpdir(), "fluxra-sdk-it-"));
  const store = createSqliteStore(join(dir, "fluxra.db"));
  const clock = createManualClock(Date.now());
  const app = createApp({ store, clock, config });
  let stop: (() => Promise<void>) | undefined;
  return {
    fetch: async (request) => app.fetch(request),
    store,
    clock,
    async listen() {
      const { serve } = await loadNodeServer();
      return new Promise((resolve) => {
        const server = serve(
          { fetch: app.fetch, port: 0, hostname: "127.0.0.1" },
          (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`),
        );
        stop = () => new Promise<void>((done) => server.close(() => done()));
      });
    },
    async close() {
      await stop?.();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
