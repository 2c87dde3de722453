import { type StartedReferenceServer, startReferenceServer } from "@fluxra/server/testing";
import { afterAll, beforeAll } from "vitest";
import { type Agent, registerAgent } from "./agent.js";
import { connectStdio, type Session } from "./mcp-client.js";

/** alice, bob and carol on a fresh reference server; alice also through a spawned fluxra-mcp. */
export interface Fixture {
  server: StartedReferenceServer;
  alice: Agent;
  bob: Agent;
  carol: Agent;
  /** A real MCP client connected over stdio to the built bin, acting as alice. */
  mcp: Session;
  /** Further sessions a test opens, closed with the rest. */
  sessions: Session[];
}

/**
 * Registers the file's fixture: a real MCP client spawns the built `fluxra-mcp` over stdio,
 * acting as alice, against the reference server on loopback; bob and carol act through the SDK.
 */
export function useFixture(): Fixture {
  const f = { sessions: [] as Session[] } as unknown as Fixture;
  beforeAll(async () => {
    f.server = await startReferenceServer();
    [f.alice, f.bob, f.carol] = await Promise.all([
      registerAgent(f.server.baseUrl, "alice"),
      registerAgent(f.server.baseUrl, "bob"),
      registerAgent(f.server.baseUrl, "carol"),
    ]);
    f.mcp = await connectStdio(
      { FLUXRA_API_KEY: f.alice.apiKey, FLUXRA_BASE_URL: f.server.baseUrl },
      undefined,
      ["--poll-interval", "50"],
    );
    f.sessions.push(f.mcp);
  });
  afterAll(async () => {
    for (const s of f.sessions) await s.close();
    await f.server?.close();
  });
  return f;
}
