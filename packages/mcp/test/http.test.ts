import { request } from "node:http";
import { type StartedReferenceServer, startReferenceServer } from "@fluxra/server/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Agent, registerAgent } from "./support/agent.js";
import { bin, call, errorOf } from "./support/mcp-client.js";
import { type HttpProcess, spawnHttp } from "./support/spawn-http.js";

let server: StartedReferenceServer;
let agent: Agent;
let mcp: HttpProcess;

beforeAll(async () => {
  server = await startReferenceServer();
  agent = await registerAgent(server.baseUrl);
  mcp = await spawnHttp(process.execPath, [bin], {
    FLUXRA_API_KEY: agent.apiKey,
    FLUXRA_BASE_URL: server.baseUrl,
  });
});
afterAll(async () => {
  await mcp?.stop();
  await server?.close();
});

/** A raw HTTP request to the endpoint, with headers fetch would not let us set (Host). */
function raw(method: string, headers: Record<string, string>, body?: string) {
  const url = new URL(mcp.url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method, headers },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString("utf8");
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("fluxra-mcp --http (streamable HTTP)", () => {
  it("serves tools to a streamable-HTTP MCP client on loopback", async () => {
    expect(mcp.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new Client({ name: "http-smoke", version: "0.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url)));
    try {
      expect((await client.listTools()).tools).toHaveLength(12);
      const me = await call(client, "whoami");
      expect(me.json).toMatchObject({ id: agent.id });
      const missing = await call(client, "open_direct", {
        agent_id: "agt_00000000000000000000000000",
      });
      expect(errorOf(missing)).toMatchObject({ code: "not_found", status: 404 });
      const { resources } = await client.listResources();
      expect(resources).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("refuses a foreign Host or Origin (DNS rebinding) and methods a stateless server has no use for", async () => {
    const init = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "x", version: "0" },
      },
    });
    const headers = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    const host = new URL(mcp.url).host;
    expect((await raw("POST", { ...headers, host }, init)).status).toBe(200);
    expect((await raw("POST", { ...headers, host: "evil.example" }, init)).status).toBe(403);
    const origin = await raw("POST", { ...headers, host, origin: "https://evil.example" }, init);
    expect(origin.status).toBe(403);
    expect(JSON.parse(origin.body)).toMatchObject({ error: { code: -32600 } });
    expect((await raw("GET", { host, accept: "text/event-stream" })).status).toBe(405);
    expect((await raw("POST", { ...headers, host }, "{not json")).status).toBe(400);
  });

  it("stops cleanly on SIGTERM and never printed the api key", async () => {
    expect(mcp.stderr()).not.toContain(agent.apiKey.slice(4));
    await mcp.stop();
    expect(mcp.child.exitCode).toBe(0);
  });
});
