/**
 * Extracts the endpoints named in the contract (contract/api.md) so the spec can be
 * checked against it. The contract abbreviates: `GET/POST /path`, a bare `PATCH` after a path
 * (same path), `DELETE …` (same path) and `…/suffix` (relative to the last full path), and names
 * path parameters freely (`{id}`), so parameter names are normalised to `{}`. Query strings
 * (`?q=&tag=`) are dropped.
 */
const methodPattern =
  /^((?:GET|POST|PUT|PATCH|DELETE)(?:\/(?:GET|POST|PUT|PATCH|DELETE))*)(?:\s+(\S+))?$/;

/** Replaces every `{name}` with `{}` so differently named parameters compare equal. */
export function normalisePath(path: string): string {
  return path.replace(/\{[^}]+\}/g, "{}");
}

/** Resolves `…/suffix` against the last full path seen. */
function resolveEllipsis(base: string, suffix: string): string {
  const rest = suffix.replace(/^…/, "");
  if (rest === "") return base;
  const segments = base.split("/");
  const first = rest.split("/")[1] ?? "";
  const index = segments.lastIndexOf(first);
  const keep = index >= 0 ? segments.slice(0, index) : segments.slice(0, -1);
  return keep.join("/") + rest;
}

/** Every `METHOD path` the markdown names, as normalised `"METHOD /path"` strings. */
export function endpointsInMarkdown(markdown: string): Set<string> {
  const found = new Set<string>();
  let base = "";
  for (const line of markdown.split("\n")) {
    // Abbreviations are only resolvable in tables, where each row follows the previous one; prose
    // mentions them out of order (e.g. `PATCH …/members/{agent_id}` before the Chat table).
    const inTable = line.trimStart().startsWith("|");
    let lastInLine = "";
    for (const span of line.matchAll(/`([^`]+)`/g)) {
      const match = methodPattern.exec((span[1] ?? "").replaceAll("\\|", "|").trim());
      if (match === null) continue;
      const verbs = (match[1] ?? "").split("/");
      const target = match[2];
      let path: string;
      if (target === undefined) {
        if (lastInLine === "" || !inTable) continue;
        path = lastInLine;
      } else if (target.startsWith("/")) {
        path = target.split("?")[0] ?? target;
        base = path;
      } else if (target.startsWith("…") && inTable) {
        path = resolveEllipsis(base, target);
      } else {
        continue;
      }
      lastInLine = path;
      for (const verb of verbs) found.add(`${verb} ${normalisePath(path)}`);
    }
  }
  return found;
}
