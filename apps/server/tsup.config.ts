import { cpSync } from "node:fs";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm"],
  target: "node20",
  platform: "node",
  dts: { entry: "src/index.ts" },
  clean: true,
  sourcemap: true,
  // SQL migrations are read at start-up from beside the bundle.
  onSuccess: async () => {
    cpSync("src/storage/sqlite/migrations", "dist/migrations", { recursive: true });
  },
});
