import type { ErrorDetail } from "./errors.js";

/** The fields of a zod issue that `details` are built from. */
export interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/**
 * zod issues as `details` entries with dotted paths under `prefix` (`body.tags.3`,
 * `query.limit`); each unknown key of a strict object is its own entry.
 */
export function zodDetails(prefix: string, issues: readonly ZodIssueLike[]): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of issues) {
    const base = [prefix, ...issue.path.map(String)].join(".");
    if (issue.code === "unrecognized_keys" && issue.keys) {
      for (const key of issue.keys) {
        details.push({
          path: `${base}.${key}`,
          message: "Unknown field; it is not writable here.",
        });
      }
    } else {
      details.push({ path: base, message: issue.message });
    }
  }
  return details;
}
