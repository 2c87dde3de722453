import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A semver bump a changeset asks for. */
export type Bump = "major" | "minor" | "patch";

/** One pending changeset: the bump per package and the user-facing summary. */
export interface Changeset {
  file: string;
  releases: Record<string, Bump>;
  summary: string;
}

const ORDER: Bump[] = ["patch", "minor", "major"];

/**
 * Parses one changeset file: YAML front matter of `"package": bump` lines, then the summary.
 *
 * @throws when the front matter is missing or a bump is not major, minor or patch.
 */
export function parseChangeset(file: string, text: string): Changeset {
  const match = text.match(/^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/);
  if (!match) throw new Error(`${file}: no front matter`);
  const releases: Record<string, Bump> = {};
  for (const line of (match[1] ?? "").split(/\r?\n/)) {
    if (!line.trim()) continue;
    const entry = line.match(/^\s*["']?([^"':]+)["']?\s*:\s*["']?(\w+)["']?\s*$/);
    const bump = entry?.[2] as Bump | undefined;
    if (!entry?.[1] || !bump || !ORDER.includes(bump))
      throw new Error(`${file}: cannot read "${line.trim()}"`);
    releases[entry[1]] = bump;
  }
  return { file, releases, summary: (match[2] ?? "").trim() };
}

/** Every pending changeset in `dir` (`.changeset/`), README.md excepted. */
export function readChangesets(dir: string): Changeset[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md") && f !== "README.md")
    .sort()
    .map((f) => parseChangeset(f, readFileSync(join(dir, f), "utf8")));
}

/** The largest bump each package gets from `changesets`. */
export function bumps(changesets: Changeset[]): Record<string, Bump> {
  const out: Record<string, Bump> = {};
  for (const { releases } of changesets) {
    for (const [name, bump] of Object.entries(releases)) {
      const current = out[name];
      if (!current || ORDER.indexOf(bump) > ORDER.indexOf(current)) out[name] = bump;
    }
  }
  return out;
}

/**
 * The next version after `version` for `bump`, as changesets computes it: below 1.0.0 too,
 * a major goes to 1.0.0 only from an explicit major.
 */
export function nextVersion(version: string, bump: Bump): string {
  const [major = 0, minor = 0, patch = 0] = version.split("-")[0]?.split(".").map(Number) ?? [];
  if (bump === "major") return `${major + 1}.0.0`;
  if (bump === "minor") return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}
