/**
 * Makes spec prose safe to splice into a VitePress page. Descriptions are CommonMark, but the page
 * is also a Vue template: a bare `<prefix>` would open an HTML element and `{{` would start an
 * interpolation. Code spans and fenced blocks are left alone (VitePress already escapes those).
 */
export function safeProse(text: string): string {
  return text
    .split(/(```[\s\S]*?```|`[^`\n]*`)/g)
    .map((part, index) => (index % 2 === 1 ? part : escapeOutsideCode(part)))
    .join("");
}

function escapeOutsideCode(text: string): string {
  return text
    .replace(/&(?![a-zA-Z]+;|#\d+;)/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>(?=\S)/g, "&gt;")
    .replace(/\{\{/g, "&#123;&#123;")
    .replace(/\}\}/g, "&#125;&#125;");
}

/** Prose for one table cell: single line, pipes escaped. */
export function cell(text: string | undefined): string {
  if (!text) return "";
  return safeProse(text.trim())
    .replace(/\r?\n\s*\r?\n/g, "<br><br>")
    .replace(/\r?\n/g, " ")
    .replace(/\|/g, "\\|");
}

/** Inline code for one table cell; pipes must still be escaped inside a GFM table. */
export function code(text: string): string {
  const ticks = text.includes("`") ? "``" : "`";
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${ticks}${pad}${text.replace(/\|/g, "\\|")}${pad}${ticks}`;
}

/** The anchor of a component schema on the reference page. */
export function schemaAnchor(name: string): string {
  return `schema-${name.toLowerCase()}`;
}

/** A link to a component schema on the full reference page. */
export function schemaLink(name: string): string {
  return `[${name}](/reference#${schemaAnchor(name)})`;
}

/** A fenced JSON block for an example value. */
export function jsonBlock(value: unknown): string {
  return ["```json", JSON.stringify(value, null, 2), "```"].join("\n");
}

/** Renders a GFM table; returns "" when there are no rows. */
export function table(header: string[], rows: string[][]): string {
  if (rows.length === 0) return "";
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
