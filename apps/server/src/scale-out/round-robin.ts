import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A per-request round-robin HTTP proxy on 127.0.0.1 (what a load balancer without sticky
 * sessions does): consecutive requests, even on one client connection, reach different instances.
 */
export async function startRoundRobin(
  upstreams: string[],
): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const targets = upstreams.map((u) => new URL(u));
  const agent = new Agent({ keepAlive: true });
  let next = 0;
  const server = createServer((req, res) => {
    const target = targets[next++ % targets.length] as URL;
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      },
    );
    forward.on("error", (err) => {
      // An instance may answer early (413 while a chunked body is still streaming) and close;
      // the rest of the upload then fails to forward. The answer already relayed stands, and the
      // client's remaining bytes are drained instead of resetting its connection.
      if (res.headersSent) req.resume();
      else res.destroy(err);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
