import { diffSpecs } from "./diff.js";
import type { Json, Level, SpecChange } from "./types.js";

/** A released spec snapshot (openapi/released/<version>.json). */
export interface ReleasedSpec {
  version: string;
  spec: Json;
}

const HEADINGS: [Level, string][] = [
  ["breaking", "Breaking changes"],
  ["addition", "Additions"],
  ["change", "Other changes"],
];

const cellText = (text: string) => text.replace(/\|/g, "\\|").replace(/</g, "&lt;");

function section(changes: SpecChange[]): string {
  if (changes.length === 0) return "No changes to operations or schemas.\n";
  const out: string[] = [];
  for (const [level, heading] of HEADINGS) {
    const some = changes.filter((c) => c.level === level);
    if (some.length === 0) continue;
    out.push(`### ${heading}\n`, "| operation | where | change |", "| --- | --- | --- |");
    for (const c of some) {
      const op = c.operation ? `\`${c.operation}\`${c.preview ? " (preview)" : ""}` : "";
      out.push(`| ${op} | ${cellText(c.where)} | ${cellText(c.message)} |`);
    }
    out.push("");
  }
  return out.join("\n");
}

/** Compares semver strings, oldest first. */
export function byVersion(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * The API changelog as Markdown: what the current spec changes since the last released
 * snapshot ("Unreleased"), then each release against the one before it, newest first. Every
 * line comes from {@link diffSpecs}; nothing is written by hand.
 */
export function renderApiChangelog(released: ReleasedSpec[], current: Json): string {
  const sorted = [...released].sort((a, b) => byVersion(a.version, b.version));
  const out: string[] = [];
  const latest = sorted.at(-1);
  if (latest) {
    out.push(
      `## Unreleased\n`,
      `Changes in the current description since API ${latest.version}.\n`,
    );
    out.push(section(diffSpecs(latest.spec, current)));
  }
  for (let i = sorted.length - 1; i >= 0; i--) {
    const release = sorted[i] as ReleasedSpec;
    out.push(`## ${release.version}\n`);
    const previous = sorted[i - 1];
    if (previous) out.push(section(diffSpecs(previous.spec, release.spec)));
    else {
      const count = Object.values<Json>(release.spec.paths ?? {}).reduce(
        (n, item) => n + Object.keys(item).filter((k) => k !== "parameters").length,
        0,
      );
      out.push(`First released description: ${count} operations.\n`);
    }
  }
  return out.join("\n");
}
