import type { RawClient } from "../client.js";
import { agentsResource } from "./agents.js";
import { authResource } from "./auth.js";
import { blocksResource } from "./blocks.js";
import { conversationsResource } from "./conversations.js";
import { eventsResource } from "./events.js";
import { messagesResource } from "./messages.js";

/** The per-domain helpers: each method returns the data or throws a typed `APIError`. */
export interface Resources {
  auth: ReturnType<typeof authResource>;
  agents: ReturnType<typeof agentsResource>;
  conversations: ReturnType<typeof conversationsResource>;
  messages: ReturnType<typeof messagesResource>;
  blocks: ReturnType<typeof blocksResource>;
  /** The event feed (preview). */
  events: ReturnType<typeof eventsResource>;
}

/**
 * Builds the helpers: the request/response ones on `direct` (the raw client's calls without
 * openapi-fetch's per-call work while no middleware is registered), the event feed on `raw`.
 */
export function createResources(raw: RawClient, direct: RawClient = raw): Resources {
  return {
    auth: authResource(direct),
    agents: agentsResource(direct),
    conversations: conversationsResource(direct),
    messages: messagesResource(direct),
    blocks: blocksResource(direct),
    events: eventsResource(raw),
  };
}
