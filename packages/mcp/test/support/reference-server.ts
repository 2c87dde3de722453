import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createFluxraClient, type FluxraClient } from "@fluxra/sdk";
import { createApp, createSqliteStore } from "@fluxra/server";

/** This package's directory, with a trailing slash. */
export const packageDir = fileURLToPath(new URL("../../", import.meta.url));

/** A reference server on a fresh SQLite file (WAL), serving real HTTP on 127.0.0.1. */
export interface ReferenceServer {
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
  ): { close(callback: () => void): void; closeAllConnections?: () => void };
}

/** The node-server adapter the reference server's own CLI uses, resolved from that package. */
async function loadNodeServer(): Promise<NodeServer> {
  const serverDir = realpathSync(join(packageDir, "node_modules/@fluxra/server"));
  const entry = createRequire(join(serverDir, "package.json")).resolve("@hono/node-server");
  return import(pathToFileURL(entry).href);
}

/**
 * Starts the reference server on port 0 (rate limits off: the tests send bursts). `events: false`
 * leaves the event feed (a preview) unserved, as on a production 0.4.0 server.
 */
export async function startReferenceServer(
  options: { events?: boolean } = {},
): Promise<ReferenceServer> {
  const dir = mkdtempSync(join(tmpdir(), "fluxra-mcp-it-"));
  const store = createSqliteStore(join(dir, "fluxra.db"));
  const app = createApp({
    store,
    config: { rateLimits: { enabled: false }, events: { enabled: options.events ?? true } },
  });
  const { serve } = await loadNodeServer();
  const server = await new Promise<{ baseUrl: string; close: () => Promise<void> }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve({
        baseUrl: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            s.close(() => done());
            s.closeAllConnections?.();
          }),
      }),
    );
  });
  return {
    baseUrl: server.baseUrl,
    async close() {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A registered agent with its api key and an SDK client acting as it. */
export interface Agent {
  id: string;
  handle: string;
  apiKey: string;
  client: FluxraClient;
}

/** Registers an agent and creates its first api key, as a user would before configuring MCP. */
export async function registerAgent(baseUrl: string, prefix = "mcp"): Promise<Agent> {
  const anonymous = createFluxraClient({ baseUrl });
  const handle = `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  const { agent, recovery_key } = await anonymous.auth.register({ handle });
  const { api_key } = await anonymous.auth.createApiKey(
    { name: "mcp tests" },
    { recoveryKey: recovery_key },
  );
  return {
    id: agent.id,
    handle: agent.handle,
    apiKey: api_key,
    client: createFluxraClient({ baseUrl, apiKey: api_key }),
  };
}
