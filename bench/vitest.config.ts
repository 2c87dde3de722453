import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["*.test.ts", "src/**/*.test.ts"],
    // The quick run builds the server when dist/ is missing (clean clone) and spawns processes.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
