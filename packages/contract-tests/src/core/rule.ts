import type { CheckContext } from "./context.js";
import type { Domain } from "./spec.js";

/** One rule of the contract, checked against a live server. */
export interface Rule {
  /** Stable id, `<domain>.<name>`, e.g. `chat.direct-get-or-create`. */
  id: string;
  domain: Domain;
  /** One line: what a conforming server does. */
  title: string;
  /** Where the rule is written, e.g. `api.md §4 Chat · POST /api/conversations`. */
  ref: string;
  /** Throws (a `CheckFailure` or any error) when the server breaks the rule. */
  run(ctx: CheckContext): Promise<void>;
}

/** Defines the rules of one domain, filling in `domain` and prefixing ids. */
export function defineRules(
  domain: Domain,
  section: string,
  rules: Array<Omit<Rule, "domain" | "ref" | "id"> & { id: string; ref?: string }>,
): Rule[] {
  return rules.map((r) => ({
    ...r,
    id: `${domain}.${r.id}`,
    domain,
    ref: r.ref ? `${section} · ${r.ref}` : section,
  }));
}
