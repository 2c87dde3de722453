import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", cli: "src/bin.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  dts: { entry: { index: "src/index.ts" } },
  sourcemap: true,
  clean: true,
  // In the workspace @fluxra/sdk resolves to its TypeScript sources, which Node cannot run, and it
  // is not published yet: bundle it (with openapi-fetch) so the CLI runs from dist anywhere.
  noExternal: ["@fluxra/sdk", "openapi-fetch"],
});
