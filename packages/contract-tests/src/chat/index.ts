import type { Rule } from "../core/rule.js";
import { conversationRules } from "./conversations.js";
import { editRules } from "./edits.js";
import { memberRules } from "./members.js";
import { messageRules } from "./messages.js";

/** Chat (api.md §4). */
export const chatRules: Rule[] = [
  ...conversationRules,
  ...memberRules,
  ...messageRules,
  ...editRules,
];
