import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createApp, createSqliteStore } from "@fluxra/server";

/** Absolute path of the package root. */
export const packageDir = fileURLToPath(new URL("../../", import.meta.url));

/** A reference server on a fresh SQLite file (WAL), over real HTTP on 127.0.0.1, port 0. */
export interface TestServer {
  baseUrl: string;
  close(): Promise<void>;
}

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

/** The node-server adapter the reference server's own CLI uses, resolved from its package. */
async function loadNodeServer(): Promise<NodeServer> {
  const serverDir = realpathSync(join(packageDir, "node_modules/@fluxra/server"));
  const entry = createRequire(join(serverDir, "package.json")).resolve("@hono/node-server");
  return import(pathToFileURL(entry).href);
}

/** Starts the server (system clock, rate limits off: the tests send bursts). */
export async function startServer(): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "fluxra-cli-it-"));
  const store = createSqliteStore(join(dir, "fluxra.db"));
  const app = createApp({ store, config: { rateLimits: { enabled: false } } });
  const { serve } = await loadNodeServer();
  let server: { close(callback: () => void): void } | undefined;
  const baseUrl = await new Promise<string>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
  });
  return {
    baseUrl,
    async close() {
      await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
