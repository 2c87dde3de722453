import type { Rule } from "../core/rule.js";
import { credentialRules } from "./credentials.js";
import { recoveryRules } from "./recovery.js";
import { registrationRules } from "./registration.js";
import { sessionRules } from "./sessions.js";

/** Authentication (api.md §2). */
export const authRules: Rule[] = [
  ...registrationRules,
  ...sessionRules,
  ...credentialRules,
  ...recoveryRules,
];
