// The domain index of fluxra.yaml (its `paths:` section and the domain part of
// `components.schemas`) is derived, not typed: every `paths/<domain>.yaml` becomes the path items
// it holds, every `components/schemas/<domain>.yaml` the schemas it holds, in the order of the
// root's `tags` (a tag's domain is its name in lowercase). Adding a domain is a tag, a paths file
// and a schemas file; `node scripts/bundle.mjs` rewrites the index.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** Escapes one JSON pointer segment the way the committed index spells it (braces stay). */
const escapeSegment = (key) => key.replaceAll("~", "~0").replaceAll("/", "~1");

/** The domains of the spec: `paths/*.yaml` ordered by the root's tags. */
export function specDomains(root, rootText) {
  const tags = (parse(rootText).tags ?? []).map((t) => String(t.name).toLowerCase());
  const files = readdirSync(join(root, "paths"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length));
  const untagged = files.filter((f) => !tags.includes(f));
  if (untagged.length > 0) {
    throw new Error(
      `paths/${untagged[0]}.yaml has no tag in fluxra.yaml: add a tag named "${untagged[0]}" (any case) to its tags.`,
    );
  }
  return tags.filter((t) => files.includes(t));
}

/** Replaces the lines of section `name` (at `indent`) up to the next key at that indent. */
function replaceSection(text, indent, name, body) {
  const lines = text.split("\n");
  const start = lines.indexOf(`${indent}${name}:`);
  if (start < 0) throw new Error(`fluxra.yaml has no ${indent}${name}: section`);
  let end = start + 1;
  const child = `${indent}  `;
  while (end < lines.length && (lines[end].startsWith(child) || lines[end] === "")) end++;
  // A blank line ending the section belongs to what follows it.
  while (end > start + 1 && lines[end - 1] === "") end--;
  return [...lines.slice(0, start + 1), ...body, ...lines.slice(end)].join("\n");
}

/** `rootText` (fluxra.yaml) with its domain index rebuilt from the split files under `root`. */
export function withDomainIndex(root, rootText) {
  const domains = specDomains(root, rootText);
  const paths = domains.flatMap((d) =>
    Object.keys(parse(readFileSync(join(root, "paths", `${d}.yaml`), "utf8")) ?? {}).flatMap(
      (key) => [`  ${key}:`, `    $ref: paths/${d}.yaml#/${escapeSegment(key)}`],
    ),
  );
  const schemaFile = (d) => join(root, "components", "schemas", `${d}.yaml`);
  const domainRef = new RegExp(`^components/schemas/(${domains.join("|")})\\.yaml#`);
  // Schemas of files that are no domain's (errors, common) keep their place and order.
  const shared = Object.entries(parse(rootText).components?.schemas ?? {})
    .filter(([, v]) => !domainRef.test(String(v?.$ref ?? "")))
    .flatMap(([name, v]) => [`    ${name}:`, `      $ref: ${v.$ref}`]);
  const owned = domains
    .filter((d) => existsSync(schemaFile(d)))
    .flatMap((d) =>
      Object.keys(parse(readFileSync(schemaFile(d), "utf8")) ?? {}).flatMap((name) => [
        `    ${name}:`,
        `      $ref: components/schemas/${d}.yaml#/${escapeSegment(name)}`,
      ]),
    );
  const withPaths = replaceSection(rootText, "", "paths", paths);
  return replaceSection(withPaths, "  ", "schemas", [...shared, ...owned]);
}
