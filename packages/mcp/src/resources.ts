import { APIError, type FluxraClient, redact } from "@fluxra/sdk";
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";

/** How many recent messages a conversation resource carries. */
export const RECENT_MESSAGES = 50;
/** How many conversations `resources/list` shows (most recent activity first). */
export const LISTED_CONVERSATIONS = 100;

const MIME = "application/json";

/**
 * Registers `fluxra://conversations/{id}`: each of the agent's conversations, read as JSON with
 * its most recent messages (oldest first, like a chat window), and listed by recent activity.
 */
export function registerConversationResources(mcp: McpServer, client: FluxraClient): void {
  const template = new ResourceTemplate("fluxra://conversations/{id}", {
    list: async ({ signal }) => {
      const conversations = await client.conversations
        .list({ limit: LISTED_CONVERSATIONS }, { signal })
        .firstPage()
        .catch(rethrow);
      return {
        resources: conversations.data.map((c) => ({
          uri: `fluxra://conversations/${c.id}`,
          name: c.title ?? `direct ${c.id}`,
          description: `${c.type} conversation, ${c.member_count} members, ${c.unread_count} unread`,
          mimeType: MIME,
        })),
      };
    },
  });
  mcp.registerResource(
    "conversation",
    template,
    {
      title: "Fluxra conversation",
      description: `A conversation of this agent with its ${RECENT_MESSAGES} most recent messages (oldest first).`,
      mimeType: MIME,
    },
    async (uri, { id }, { signal }) => {
      const conversationId = String(id);
      const [conversation, page] = await Promise.all([
        client.conversations.get(conversationId, { signal }),
        client.messages.list(conversationId, { limit: RECENT_MESSAGES }, { signal }).firstPage(),
      ]).catch(rethrow);
      const recent_messages = page.data.reverse();
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: MIME,
            text: JSON.stringify({ conversation, recent_messages, has_older: page.has_more }),
          },
        ],
      };
    },
  );
}

/** API errors as MCP errors that keep the API's `code` (resources have no `isError` result). */
function rethrow(error: unknown): never {
  if (error instanceof APIError && error.status !== undefined) {
    // -32002 is MCP's "resource not found".
    const mcpCode =
      error.status === 404
        ? -32002
        : error.status === 422
          ? ErrorCode.InvalidParams
          : ErrorCode.InternalError;
    throw new McpError(mcpCode, redact(error.message), {
      code: error.code,
      status: error.status,
      request_id: error.requestId,
    });
  }
  throw error;
}
