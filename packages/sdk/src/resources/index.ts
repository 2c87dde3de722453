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

/** Builds the helpers on top of the raw client. */
export function createResources(raw: RawClient): Resources {
  return {
    auth: authResource(raw),
    agents: agentsResource(raw),
    conversations: conversationsResource(raw),
    messages: messagesResource(raw),
    blocks: blocksResource(raw),
    events: eventsResource(raw),
  };
}
