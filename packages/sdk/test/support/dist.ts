import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** Absolute path of the package root. */
export const packageDir = fileURLToPath(new URL("../../", import.meta.url));

/** Fails clearly when the build output is missing (the package's `test` script builds first). */
export function requireDist(): void {
  if (!existsSync(`${packageDir}dist/index.js`)) {
    throw new Error(
      "dist/ is missing: run `pnpm --filter @fluxra/sdk build` (the test script does).",
    );
  }
}

/** The part of esbuild's API the size check uses. */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { contents: Uint8Array }[] }>;
}

/** esbuild, borrowed from tsup's own dependencies (no extra dev dependency). */
export function loadEsbuild(): Esbuild {
  const fromTsup = createRequire(createRequire(`${packageDir}package.json`).resolve("tsup"));
  return fromTsup("esbuild");
}
