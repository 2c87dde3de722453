import { agentsRules } from "./agents/index.js";
import { authRules } from "./auth/index.js";
import { blocksRules } from "./blocks/index.js";
import { chatRules } from "./chat/index.js";
import { conventionsRules, rateLimitRules } from "./conventions/index.js";
import type { Rule } from "./core/rule.js";
import { eventsRules } from "./events/index.js";

/** Every check of the suite, in run order. */
export const allRules: Rule[] = [
  ...conventionsRules,
  ...authRules,
  ...agentsRules,
  ...chatRules,
  ...blocksRules,
  ...eventsRules,
  ...rateLimitRules,
];
