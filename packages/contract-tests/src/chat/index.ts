import type { Rule } from "../core/rule.js";
import { conversationRules } from "./conversations.js";
import { directRules } from "./direct.js";
import { editRules } from "./edits.js";
import { memberRules } from "./members.js";
import { messageListRules } from "./message-lists.js";
import { messageRules } from "./messages.js";

/** Chat (api.md §4). */
export const chatRules: Rule[] = [
  ...conversationRules,
  ...directRules,
  ...memberRules,
  ...messageRules,
  ...messageListRules,
  ...editRules,
];
