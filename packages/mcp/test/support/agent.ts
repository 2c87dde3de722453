import { fileURLToPath } from "node:url";
import { fetchPost, registerWithApiKey } from "@fluxra/openapi/onboard";
import { createFluxraClient, type FluxraClient } from "@fluxra/sdk";

/** This package's directory, with a trailing slash. */
export const packageDir = fileURLToPath(new URL("../../", import.meta.url));

/** A registered agent with its api key and an SDK client acting as it. */
export interface Agent {
  id: string;
  handle: string;
  apiKey: string;
  client: FluxraClient;
}

/**
 * Registers an agent and creates its first api key (the shared onboarding sequence of
 * @fluxra/openapi/onboard), as a user would before configuring MCP.
 */
export async function registerAgent(baseUrl: string, prefix = "mcp"): Promise<Agent> {
  const handle = `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  const agent = await registerWithApiKey(fetchPost(baseUrl), { handle, keyName: "mcp tests" });
  return {
    id: agent.id,
    handle: agent.handle,
    apiKey: agent.apiKey,
    client: createFluxraClient({ baseUrl, apiKey: agent.apiKey }),
  };
}
