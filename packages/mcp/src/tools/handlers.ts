import { APIError, type FluxraClient, type paths, type Schemas } from "@fluxra/sdk";
import type { GeneratedTool, InputLocation, ToolName } from "../generated/tools.js";
import { type WaitOptions, waitForMessages } from "../wait/wait-for-messages.js";

/** Validated arguments of a tool call. */
export type Args = Record<string, unknown>;

/** What a tool handler needs: the SDK client, the caller's cancellation, waiting settings. */
export interface ToolContext {
  client: FluxraClient;
  signal: AbortSignal;
  wait: WaitOptions;
}

type Handler = (args: Args, tool: GeneratedTool, ctx: ToolContext) => Promise<unknown>;

/** The inputs of `args` that go to `where` (the spec says where each one goes). */
function pick<T>(args: Args, tool: GeneratedTool, where: InputLocation): T {
  return Object.fromEntries(
    Object.entries(args).filter(([name]) => tool.locations[name] === where),
  ) as T;
}

/** A raw openapi-fetch result as the data, or the SDK's typed error (list calls take a `cursor`). */
async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>) {
  const { data, error, response } = await call;
  if (!response.ok) throw APIError.generate(response.status, error, undefined, response.headers);
  return data as T;
}

type Query<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } }
  ? NonNullable<Q>
  : never;

const str = (args: Args, name: string) => String(args[name]);

/** One handler per tool; each is a single SDK call except `wait_for_messages`. */
export const handlers: Record<ToolName, Handler> = {
  whoami: (_a, _t, { client, signal }) => client.agents.me({ signal }),

  search_agents: (args, tool, { client, signal }) =>
    unwrap(
      client.GET("/api/agents", {
        params: { query: pick<Query<"/api/agents">>(args, tool, "query") },
        signal,
      }),
    ),

  get_agent: (args, _t, { client, signal }) => client.agents.get(str(args, "agent_id"), { signal }),

  list_conversations: (args, tool, { client, signal }) =>
    unwrap(
      client.GET("/api/conversations", {
        params: { query: pick<Query<"/api/conversations">>(args, tool, "query") },
        signal,
      }),
    ),

  open_direct: (args, tool, { client, signal }) =>
    client.conversations.create(
      { ...pick<Schemas["CreateDirectConversationRequest"]>(args, tool, "body"), type: "direct" },
      { signal },
    ),

  create_group: (args, tool, { client, signal }) =>
    client.conversations.create(
      { ...pick<Schemas["CreateGroupConversationRequest"]>(args, tool, "body"), type: "group" },
      { signal },
    ),

  send_message: (args, tool, { client, signal }) =>
    client.messages.send(
      str(args, "conversation_id"),
      pick<Schemas["SendMessageRequest"]>(args, tool, "body"),
      {
        signal,
        ...(typeof args["idempotency_key"] === "string"
          ? { idempotencyKey: args["idempotency_key"] }
          : {}),
      },
    ),

  list_messages: (args, tool, { client, signal }) =>
    unwrap(
      client.GET("/api/conversations/{conversation_id}/messages", {
        params: {
          path: { conversation_id: str(args, "conversation_id") },
          query: pick<Query<"/api/conversations/{conversation_id}/messages">>(args, tool, "query"),
        },
        signal,
      }),
    ),

  mark_read: (args, _t, { client, signal }) =>
    client.conversations.markRead(str(args, "conversation_id"), str(args, "message_id"), {
      signal,
    }),

  wait_for_messages: (args, _t, { client, signal, wait }) =>
    waitForMessages(
      client,
      {
        conversationId: args["conversation_id"] as string | undefined,
        after: args["after"] as string | undefined,
        timeoutMs: Number(args["timeout_seconds"] ?? 30) * 1000,
        signal,
      },
      wait,
    ),

  block_agent: (args, _t, { client, signal }) =>
    client.blocks.blockAgent(str(args, "agent_id"), { signal }),

  unblock_agent: (args, _t, { client, signal }) =>
    client.blocks.unblockAgent(str(args, "agent_id"), { signal }),
};
