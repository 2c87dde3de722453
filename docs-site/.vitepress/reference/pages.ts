import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSpec } from "./spec.js";

/** The docs-site folder, where the pages (`*.md`) live. */
const siteRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A page of the site: its link and its frontmatter title. */
export interface SitePage {
  link: string;
  title: string;
}

/** Every page of the site with the text it is built from. */
function readPages(root: string): Array<SitePage & { source: string }> {
  return readdirSync(root)
    .filter((f) => f.endsWith(".md") && f !== "README.md")
    .map((file) => {
      const source = readFileSync(join(root, file), "utf8");
      const name = file.slice(0, -".md".length);
      const title = /^---\n[\s\S]*?^title:\s*(.+)$/m.exec(source)?.[1]?.trim() ?? name;
      return { link: name === "index" ? "/" : `/${name}`, title, source };
    });
}

/**
 * The page that documents each tag in full: the page holding its
 * `<!-- fluxra:operations tag="…" -->`, in the spec's tag order. A tag no page documents (a new
 * domain, or Health) is documented in full on the reference page instead, so nothing in the spec
 * goes unrendered.
 */
export function tagPages(root = siteRoot, tags = loadSpec().tags ?? []): Record<string, string> {
  const pages = readPages(root);
  const out: Record<string, string> = {};
  for (const { name } of tags) {
    const marker = `<!-- fluxra:operations tag="${name}" -->`;
    const page = pages.find((p) => p.source.includes(marker));
    if (page) out[name] = page.link;
  }
  return out;
}

/** The frontmatter titles of the site's pages, by link. */
export function pageTitles(root = siteRoot): Record<string, string> {
  return Object.fromEntries(readPages(root).map((p) => [p.link, p.title]));
}

/** {@link tagPages} of this site. */
export const TAG_PAGES: Readonly<Record<string, string>> = tagPages();
