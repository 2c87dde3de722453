import type { FluxraClient } from "@fluxra/sdk";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import { generatedTools } from "../generated/tools.js";
import { errorResult, toolError, toolResult } from "../result.js";
import type { WaitOptions } from "../wait/wait-for-messages.js";
import { handlers } from "./handlers.js";
import { createArgumentChecks } from "./validate.js";

/** Tools that change nothing on the server (an MCP hint hosts use to skip confirmations). */
const READ_ONLY = new Set([
  "whoami",
  "search_agents",
  "get_agent",
  "list_conversations",
  "list_messages",
  "wait_for_messages",
]);

let checks: ReturnType<typeof createArgumentChecks> | undefined;

/**
 * Serves the tools on the low-level server under `mcp`. `McpServer.registerTool` only takes Zod
 * schemas; these tools list the JSON Schemas generated from the spec exactly as generated, and
 * check arguments against those same schemas.
 */
export function registerTools(mcp: McpServer, client: FluxraClient, wait: WaitOptions): void {
  // Compiled once per process: over HTTP every request gets its own server.
  checks ??= createArgumentChecks(generatedTools);
  const check = checks;
  const byName = new Map(generatedTools.map((tool) => [tool.name, tool]));
  mcp.server.registerCapabilities({ tools: { listChanged: false } });

  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: generatedTools.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: tool.inputSchema,
      annotations: {
        title: tool.title,
        readOnlyHint: READ_ONLY.has(tool.name),
        // Every write is either idempotent (blocks, read markers, get-or-create) or a new message.
        idempotentHint: tool.name !== "send_message" && tool.name !== "create_group",
        destructiveHint: false,
        openWorldHint: true,
      },
    })),
  }));

  mcp.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name as never);
    if (!tool) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool ${request.params.name}`);
    }
    const args = structuredClone(request.params.arguments ?? {});
    const invalid = check.get(tool.name)?.(args);
    if (invalid) return toolError(invalid);
    try {
      const data = await handlers[tool.name](args, tool, { client, signal: extra.signal, wait });
      return toolResult(data);
    } catch (error) {
      return errorResult(error);
    }
  });
}
