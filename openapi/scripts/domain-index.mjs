// The domain index of fluxra.yaml (its `tags:`, its `paths:` section and the domain part of
// `components.schemas`) is derived, not typed: every `paths/<domain>.yaml` holds its domain's
// OpenAPI Tag object under a top-level `x-tag:` (name, description, any x- extensions) and its path
// items (the keys starting with `/`); every `components/schemas/<domain>.yaml` the schemas it holds.
// The domains keep the order their tags already have in fluxra.yaml; a new domain's tag is appended
// (new ones by file name). Adding a domain is a paths file and a schemas file;
// `node scripts/bundle.mjs` rewrites the index.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Document, isMap, parse, parseDocument, YAMLSeq } from "yaml";

/** Escapes one JSON pointer segment the way the committed index spells it (braces stay). */
const escapeSegment = (key) => key.replaceAll("~", "~0").replaceAll("/", "~1");

const pathsFile = (root, d) => join(root, "paths", `${d}.yaml`);

/** The path item keys of a parsed paths file: its keys starting with `/` (not `x-tag`). */
export const pathKeys = (doc) => Object.keys(doc ?? {}).filter((key) => key.startsWith("/"));

/**
 * The domains of the spec: one per `paths/*.yaml`, in the order of the root's current tags, the
 * domains without a tag there yet after them, by name.
 */
export function specDomains(root, rootText) {
  const current = (parse(rootText).tags ?? []).map((t) => String(t.name).toLowerCase());
  const rank = (d) => (current.includes(d) ? current.indexOf(d) : current.length);
  return readdirSync(join(root, "paths"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The `x-tag` node of domain `d`'s paths file, checked: a map whose `name` is `d` in any case. */
function tagNode(root, d) {
  const node = parseDocument(readFileSync(pathsFile(root, d), "utf8")).get("x-tag", true);
  const name = isMap(node) ? node.get("name") : undefined;
  if (typeof name !== "string" || name.toLowerCase() !== d) {
    const tag = d.charAt(0).toUpperCase() + d.slice(1);
    throw new Error(
      `paths/${d}.yaml has no x-tag named "${d}" (any case): add its tag at the top of the file, ` +
        `e.g.\nx-tag:\n  name: ${tag}\n  description: What the ${tag} domain is for.`,
    );
  }
  return node;
}

/** The `tags:` entries of the domains, as fluxra.yaml spells them (each x-tag, as written). */
function tagLines(root, domains) {
  const seq = new YAMLSeq();
  seq.items = domains.map((d) => tagNode(root, d));
  const doc = new Document();
  doc.contents = seq;
  return doc
    .toString({ lineWidth: 0 })
    .trimEnd()
    .split("\n")
    .map((line) => (line === "" ? line : `  ${line}`));
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
  const tags = tagLines(root, domains);
  const paths = domains.flatMap((d) =>
    pathKeys(parse(readFileSync(pathsFile(root, d), "utf8"))).flatMap((key) => [
      `  ${key}:`,
      `    $ref: paths/${d}.yaml#/${escapeSegment(key)}`,
    ]),
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
  const withTags = replaceSection(rootText, "", "tags", tags);
  const withPaths = replaceSection(withTags, "", "paths", paths);
  return replaceSection(withPaths, "  ", "schemas", [...shared, ...owned]);
}
