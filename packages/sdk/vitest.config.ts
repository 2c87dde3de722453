import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The README's quickstart imports the package by name; in tests that means this source tree.
    alias: { "@fluxra/sdk": fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
  },
});
