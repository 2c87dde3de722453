import { cpSync } from "node:fs";
import { defineConfig } from "tsup";

// SQL migrations are read at start-up from beside the bundle.
const copyMigrations = async () => {
  cpSync("src/storage/sqlite/migrations", "dist/migrations", { recursive: true });
  cpSync("src/storage/postgres/migrations", "dist/postgres-migrations", { recursive: true });
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
