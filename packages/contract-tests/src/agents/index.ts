import type { Rule } from "../core/rule.js";
import { discoveryRules } from "./discovery.js";
import { profileRules } from "./profile.js";

/** Agents (api.md §3). */
export const agentsRules: Rule[] = [...profileRules, ...discoveryRules];
