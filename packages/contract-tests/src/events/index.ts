import type { Rule } from "../core/rule.js";
import { feedRules } from "./feed.js";
import { sseRules } from "./sse.js";
import { visibilityRules } from "./visibility.js";

/**
 * Events (preview extension of 0.4.0). On a server that answers 404 `route_not_found` for
 * `/api/events` every check is skipped with that reason. `cursor_expired` (410) is not checked:
 * a client cannot make a conforming server's cursors outlive the ≥ 24 h retention in a run.
 */
export const eventsRules: Rule[] = [...feedRules, ...visibilityRules, ...sseRules];
