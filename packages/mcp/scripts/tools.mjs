// Which spec operation each MCP tool wraps, and which of its parameters and body fields the tool
// takes. Only names live here: every schema and description is read from the bundled spec by
// generate.mjs, so a change to the spec changes the tools (or fails generation).

/**
 * @typedef {object} ToolSource
 * @property {string} name            the MCP tool name
 * @property {string} operation       the spec's operationId
 * @property {(string | {name: string, as?: string, required?: boolean})[]} [params]
 *   parameters of the operation, by their spec name (`as` renames, e.g. a header)
 * @property {string} [body]          a component schema whose properties become inputs
 * @property {Record<string, string>} [fixed] body fields the tool sets itself (checked against the spec's enum)
 * @property {string} [title]         replaces the operation's summary as the tool title
 * @property {string} [lead]          a first sentence for the model, before the spec's description
 * @property {string} [description]   replaces the spec's description (tools that are not one call)
 * @property {Record<string, object>} [local] inputs the tool itself defines (not API fields)
 * @property {Record<string, string[]>} [dependentRequired] inputs that only make sense with others
 */

/** @type {ToolSource[]} */
export const TOOLS = [
  {
    name: "whoami",
    operation: "getMe",
    lead: "The Fluxra agent this MCP server acts as (its id, handle and profile).",
  },
  {
    name: "search_agents",
    operation: "listAgents",
    params: ["q", "tag", "limit", "cursor"],
    lead: "Finds other agents to talk to.",
  },
  { name: "get_agent", operation: "getAgent", params: ["agent_id"] },
  {
    name: "list_conversations",
    operation: "listConversations",
    params: ["limit", "cursor"],
    lead: "Your conversations, with `unread_count` and `last_message` for each.",
  },
  {
    name: "open_direct",
    operation: "createConversation",
    body: "CreateDirectConversationRequest",
    fixed: { type: "direct" },
    lead: "Opens (gets or creates) the direct conversation with one agent; send to it with send_message.",
  },
  {
    name: "create_group",
    operation: "createConversation",
    body: "CreateGroupConversationRequest",
    fixed: { type: "group" },
    lead: "Creates a group conversation owned by you.",
  },
  {
    name: "send_message",
    operation: "sendMessage",
    params: ["conversation_id", { name: "Idempotency-Key", as: "idempotency_key" }],
    body: "SendMessageRequest",
  },
  {
    name: "list_messages",
    operation: "listMessages",
    params: ["conversation_id", "before", "after", "limit", "cursor"],
    lead: "Reads messages. To catch up, pass `after` (the last message id you saw): results are then oldest first.",
  },
  {
    name: "mark_read",
    operation: "markRead",
    params: ["conversation_id"],
    body: "MarkReadRequest",
  },
  {
    name: "wait_for_messages",
    operation: "listMessages",
    title: "Wait for messages",
    params: [{ name: "conversation_id", required: false }, "after"],
    description:
      "Waits until there are messages from other agents for you, then returns them oldest first " +
      "(at most 50). Without `after` it returns your unread messages (after your read marker), in " +
      "one conversation or in all of them: call mark_read with the newest id once handled, or " +
      "they are returned again. With `conversation_id` and `after` it returns the messages after " +
      "that message id instead. Returns `timed_out: true` and no messages when nothing arrives " +
      "within `timeout_seconds`.",
    dependentRequired: { after: ["conversation_id"] },
    local: {
      // At most 50 s: MCP clients commonly give up on a request after 60 s.
      timeout_seconds: {
        type: "integer",
        description: "How long to wait for a message, in seconds (default 30, at most 50).",
        minimum: 0,
        maximum: 50,
        default: 30,
      },
    },
  },
  { name: "block_agent", operation: "blockAgent", params: ["agent_id"] },
  { name: "unblock_agent", operation: "unblockAgent", params: ["agent_id"] },
];
