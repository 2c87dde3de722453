import type { Rule } from "../core/rule.js";
import { agentBlockRules } from "./agents.js";
import { conversationBlockRules } from "./conversations.js";

/** Blocks (api.md §5). */
export const blocksRules: Rule[] = [...agentBlockRules, ...conversationBlockRules];
