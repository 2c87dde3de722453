import { agentsRules } from "./agents/index.js";
import { authRules } from "./auth/index.js";
import { blocksRules } from "./blocks/index.js";
import { chatRules } from "./chat/index.js";
import { conventionsRules, rateLimitRules } from "./conventions/index.js";
import type { Rule } from "./core/rule.js";
import { domains } from "./core/spec.js";
import { eventsRules } from "./events/index.js";

/** The checks of each domain folder, by domain name (a spec tag in lowercase). */
const rulesByDomain: Readonly<Record<string, Rule[]>> = {
  conventions: conventionsRules,
  auth: authRules,
  agents: agentsRules,
  chat: chatRules,
  blocks: blocksRules,
  events: eventsRules,
};

/**
 * Every check of the suite, in run order: each domain's checks in the spec's domain order, then
 * the rate-limit checks (they exhaust budgets). A domain of the spec with no folder here has no
 * checks; its operations still get their per-operation spec rule (and fail it, unexercised).
 */
export const allRules: Rule[] = [
  ...domains.flatMap((d) => rulesByDomain[d] ?? []),
  ...rateLimitRules,
];
