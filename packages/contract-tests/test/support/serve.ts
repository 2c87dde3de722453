import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createApp, createSqliteStore } from "@fluxra/server";

/** The fetch handler of the app, with the Node request as its env (for the client address). */
export type Handler = (request: Request, env: { incoming: IncomingMessage }) => Promise<Response>;

/** A reference server listening on a loopback port. */
export interface RunningServer {
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the reference server (createApp on a fresh SQLite file, rate limits off as the suite
 * needs) over real HTTP on 127.0.0.1, port 0. `wrap` lets a test inject a fault in front of it.
 */
export async function startReferenceServer(
  wrap: (handler: Handler) => Handler = (h) => h,
): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), "fluxra-contract-"));
  const store = createSqliteStore(join(dir, "fluxra.db"));
  const app = createApp({ store, config: { rateLimits: { enabled: false } } });
  const handler = wrap((request, env) => Promise.resolve(app.fetch(request, env)));
  const server = createServer((req, res) => {
    serveOne(handler, req, res).catch((err: unknown) => {
      res.destroy(err as Error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function serveOne(handler: Handler, req: IncomingMessage, res: ServerResponse) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const init: RequestInit & { duplex?: "half" } = { method: req.method ?? "GET", headers };
  if (hasBody) {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = "half";
  }
  const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, init);
  const response = await handler(request, { incoming: req });
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    out[name] = value;
  });
  // A body the app refused to read (413) leaves the socket mid-request: do not reuse it.
  if (!req.complete) out["connection"] = "close";
  res.writeHead(response.status, out);
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
      res.write(chunk);
  }
  res.end();
}
