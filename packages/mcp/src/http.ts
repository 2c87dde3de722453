import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FluxraClient } from "@fluxra/sdk";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { buildServer, clientFor, type FluxraMcpOptions } from "./server.js";

/** Options of {@link serveHttp}. */
export interface HttpOptions extends FluxraMcpOptions {
  /** Interface to listen on (default `127.0.0.1`: the api key's powers stay on this machine). */
  host?: string | undefined;
  /** Port (default 3333; 0 picks a free one). */
  port?: number | undefined;
}

/** A listening streamable-HTTP MCP endpoint. */
export interface HttpEndpoint {
  /** The MCP endpoint, e.g. `http://127.0.0.1:3333/mcp`. */
  url: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * Serves MCP over streamable HTTP at `/mcp`, statelessly: each POST gets a fresh server and
 * transport, all sharing one SDK client (so one access token, one agent). On a loopback address, requests
 * whose `Host` or `Origin` is not loopback are refused (403): a web page cannot reach the agent's
 * api key through DNS rebinding.
 */
export function serveHttp(options: HttpOptions): Promise<HttpEndpoint> {
  const host = options.host ?? "127.0.0.1";
  const guard = LOOPBACK.has(host);
  const client = clientFor(options);
  const server: Server = createServer((req, res) => {
    handle(req, res, client, options.pollIntervalMs, guard).catch(() => {
      if (!res.headersSent) reply(res, 500, -32603, "Internal error");
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3333, host, () => {
      const { port } = server.address() as AddressInfo;
      const shown = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}/mcp`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  client: FluxraClient,
  pollIntervalMs: number | undefined,
  guard: boolean,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname !== "/mcp") return reply(res, 404, -32601, "Not found: the endpoint is /mcp");
  if (guard && !(isLoopback(req.headers.host) && isLoopback(req.headers.origin, true))) {
    return reply(res, 403, -32600, "Forbidden: Host and Origin must be loopback");
  }
  // Stateless: no session to stream to or delete.
  if (req.method !== "POST") return reply(res, 405, -32000, "Method not allowed");
  const mcp = buildServer(client, pollIntervalMs);
  const transport = new StreamableHTTPServerTransport({});
  res.on("close", () => {
    void transport.close();
    void mcp.close();
  });
  await mcp.connect(transport);
  await transport.handleRequest(req, res);
}

function isLoopback(value: string | undefined, isOrigin = false): boolean {
  if (value === undefined) return isOrigin;
  try {
    return LOOPBACK.has(new URL(isOrigin ? value : `http://${value}`).hostname);
  } catch {
    return false;
  }
}

function reply(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
