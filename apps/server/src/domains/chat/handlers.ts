import type { ChatHandlers } from "../../generated/routes.js";
import type { AppDeps } from "../../platform/env.js";
import { conversationHandlers } from "./handlers-conversations.js";
import { messageHandlers } from "./handlers-messages.js";

/** The Chat handlers: conversations, members, messages and read markers. */
export function chatHandlers(deps: AppDeps): ChatHandlers {
  return { ...conversationHandlers(deps), ...messageHandlers(deps) } satisfies ChatHandlers;
}
