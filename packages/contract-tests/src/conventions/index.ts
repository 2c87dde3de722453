import type { Rule } from "../core/rule.js";
import { basicRules } from "./basics.js";
import { idempotencyRules } from "./idempotency.js";
import { paginationRules } from "./pagination.js";
import { rateLimitRules } from "./rate-limits.js";
import { requestRules } from "./requests.js";

/** Conventions (api.md §1) and health (§6). The rate-limit checks run last (see rules.ts). */
export const conventionsRules: Rule[] = [
  ...basicRules,
  ...requestRules,
  ...paginationRules,
  ...idempotencyRules,
];

/** Rate-limit checks: last, because on a limited target their burst spends the address' budget. */
export { rateLimitRules };
