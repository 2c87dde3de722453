import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { byVersion, type ReleasedSpec } from "./changelog.js";

/** Where released bundles are kept: `openapi/released/<api version>.json`, one per API release. */
export const releasedDir = resolve(import.meta.dirname, "../../../openapi/released");

/** Every released bundle, oldest first. */
export function loadReleasedSpecs(dir = releasedDir): ReleasedSpec[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d+\.\d+\.\d+\.json$/.test(f))
    .map((f) => ({
      version: f.replace(/\.json$/, ""),
      spec: JSON.parse(readFileSync(join(dir, f), "utf8")),
    }))
    .sort((a, b) => byVersion(a.version, b.version));
}
