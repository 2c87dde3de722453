import type { Rule } from "../core/rule.js";

/** Placeholder until this domain's checks are written. */
export const chatRules: Rule[] = [];
