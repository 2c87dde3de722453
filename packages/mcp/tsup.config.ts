import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", cli: "src/bin.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  dts: { entry: { index: "src/index.ts" } },
  sourcemap: true,
  clean: true,
  // In the workspace @fluxra/sdk resolves to its TypeScript sources, which Node cannot run: bundle
  // it (and openapi-fetch with it) so the server runs from dist anywhere, with the SDK it was
  // built and tested against. The MCP SDK, ajv and zod stay ordinary dependencies.
  noExternal: ["@fluxra/sdk", "openapi-fetch"],
});
