import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { packageDir } from "./agent.js";

/** The built bin, as `npx fluxra-mcp` would run it. */
export const bin = `${packageDir}bin/fluxra-mcp.js`;

/** An MCP client connected over stdio to a spawned `fluxra-mcp`, and what it wrote to stderr. */
export interface Session {
  client: Client;
  stderr: () => string;
  close(): Promise<void>;
}

/** Spawns `command args` (default: the built bin) and connects a real MCP client to it over stdio. */
export async function connectStdio(
  env: Record<string, string>,
  command: { command: string; args: string[] } = { command: process.execPath, args: [bin] },
  extraArgs: string[] = [],
): Promise<Session> {
  const transport = new StdioClientTransport({
    command: command.command,
    args: [...command.args, ...extraArgs],
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const client = new Client({ name: "fluxra-mcp-tests", version: "0.0.0" });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

/** Every tool result received in this test file, serialized (secrets are checked against it). */
export const transcript: string[] = [];

/** Calls a tool and returns its result with the JSON it carries parsed. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  transcript.push(JSON.stringify(result));
  const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
  const json = (result.structuredContent ?? {}) as Record<string, unknown>;
  return { isError: result.isError === true, text, json, result };
}

/** The `error` of a failed tool call's structured content. */
export function errorOf(r: Awaited<ReturnType<typeof call>>) {
  return (r.json as { error: { code: string; message: string; status?: number } }).error;
}
