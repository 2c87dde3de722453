import { defineConfig } from "tsup";

// One entry, ESM + CJS with matching .d.ts/.d.cts. `platform: "neutral"` keeps Node built-ins
// out: the SDK must run on browsers, Deno, Bun and edge runtimes (fetch only).
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
  treeshake: true,
});
