/**
 * The page that documents each tag in full. A tag missing here (a new domain, or Health) is
 * documented in full on the reference page instead, so nothing in the spec goes unrendered.
 */
export const TAG_PAGES: Readonly<Record<string, string>> = {
  Auth: "/authentication",
  Agents: "/agents",
  Chat: "/chat",
  Blocks: "/blocks",
  Events: "/events",
};
