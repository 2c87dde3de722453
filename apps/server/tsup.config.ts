import { cpSync, mkdirSync, rmSync } from "node:fs";
import { basename } from "node:path";
import { defineConfig } from "tsup";
import { findMigrations } from "./src/storage/migrations.js";

// SQL migrations are read at start-up from beside the bundle: every one the source tree has
// (the engines' and each domain's folder, found as the server finds them) goes, flat, into
// dist/migrations/<backend>/ (names are timestamped and unique across domains).
const copyMigrations = async () => {
  rmSync("dist/migrations", { recursive: true, force: true });
  rmSync("dist/postgres-migrations", { recursive: true, force: true });
  for (const backend of ["sqlite", "postgres"] as const) {
    mkdirSync(`dist/migrations/${backend}`, { recursive: true });
    for (const m of findMigrations(backend)) {
      cpSync(m.path, `dist/migrations/${backend}/${basename(m.path)}`);
    }
  }
};

export default defineConfig([
  {
    // The library: dependencies stay external (installed alongside).
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    sourcemap: true,
    onSuccess: copyMigrations,
  },
  {
    // The CLI: one self-contained file (except the native SQLite binding) so start-up does not
    // pay for resolving and parsing hundreds of ESM modules (~400 ms measured here).
    entry: ["src/cli.ts"],
    format: ["esm"],
    target: "node20",
    platform: "node",
    sourcemap: true,
    noExternal: [/^(?!better-sqlite3$)/],
    external: ["better-sqlite3"],
    banner: {
      js: [
        "import { createRequire as __fluxraRequire } from 'node:module';",
        "import { fileURLToPath as __fluxraPath } from 'node:url';",
        "const require = __fluxraRequire(import.meta.url);",
        "const __filename = __fluxraPath(import.meta.url);",
        "const __dirname = __fluxraPath(new URL('.', import.meta.url));",
      ].join(" "),
    },
    onSuccess: copyMigrations,
  },
]);
