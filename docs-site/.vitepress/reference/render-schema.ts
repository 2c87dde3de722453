import { constraints, fieldRows, flatten, typeLabel } from "./schema.js";
import { deref, refName } from "./spec.js";
import { cell, code, table } from "./text.js";
import type { OpenApiDocument, Schema } from "./types.js";

/**
 * A schema as Markdown: its field table, or one table per variant of a `oneOf`, or a one-line type
 * for scalars and arrays. Used for request bodies, component schemas and inline fragments.
 */
export function renderSchema(doc: OpenApiDocument, schema: Schema): string {
  const resolved = deref(doc, schema);
  const variants = resolved.oneOf ?? resolved.anyOf;
  if (variants) {
    const by = resolved.discriminator
      ? ` (chosen by ${code(resolved.discriminator.propertyName)})`
      : "";
    const parts = variants.map((variant) => {
      const title = variant.$ref ? `**${refName(variant.$ref)}**` : "**Variant**";
      return `${title}\n\n${renderSchema(doc, variant)}`;
    });
    return [`One of${by}:`, ...parts].join("\n\n");
  }
  const flat = flatten(doc, resolved);
  const rows = fieldRows(doc, flat);
  if (rows.length === 0) {
    const rules = [cell(flat.description), ...constraints(flat)].filter(Boolean).join(" ");
    return `Type: ${typeLabel(doc, schema.$ref ? schema : flat)}${rules ? `. ${rules}` : ""}`;
  }
  const note =
    flat.additionalProperties === false
      ? "\n\nUnknown fields are rejected with `422 validation_failed`."
      : "";
  return (
    table(
      ["Field", "Type", "Description"],
      rows.map((r) => [
        `${code(r.name)}${r.required ? "<br><small>required</small>" : ""}`,
        r.type,
        r.description,
      ]),
    ) + note
  );
}
