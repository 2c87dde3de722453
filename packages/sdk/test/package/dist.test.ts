import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { loadEsbuild, packageDir, requireDist } from "../support/dist.js";

const read = (file: string) => readFileSync(`${packageDir}dist/${file}`, "utf8");
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Every module specifier a built file imports or requires. */
function specifiers(code: string): string[] {
  const found = [
    ...code.matchAll(/\bfrom\s*["']([^"']+)["']/g),
    ...code.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/\brequire\s*\(\s*["']([^"']+)["']\s*\)/g),
  ];
  return [...new Set(found.map((m) => m[1] ?? ""))];
}

describe("built package", () => {
  beforeAll(requireDist);

  it.each(["index.js", "index.cjs"])(
    "%s imports nothing but openapi-fetch (no Node built-ins)",
    (file) => {
      const code = read(file);
      expect(specifiers(code)).toEqual(["openapi-fetch"]);
      expect(specifiers(code).filter((s) => builtins.has(s))).toEqual([]);
      expect(code).not.toMatch(/\bprocess\.|\bBuffer\b|__dirname/);
    },
  );

  // 6 kB before the event stream (SSE parser, reconnects, long-poll and the polling fallback: ~3.5 kB);
  // 9 kB until the direct call path (core/direct.ts, ~0.35 kB: helpers skip openapi-fetch's per-call
  // work, issue 18); 9.5 kB until the connection canceller (core/connection.ts, ~0.38 kB: calls on
  // Node's fetch are cancelled through undici's dispatcher instead of a signal, ~7 µs less CPU per
  // call; issue 18, round 2).
  it("stays within 10 kB minified + gzip (ESM, without openapi-fetch)", async () => {
    const esbuild = loadEsbuild();
    const result = await esbuild.build({
      entryPoints: [`${packageDir}dist/index.js`],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "neutral",
      external: ["openapi-fetch"],
      write: false,
    });
    const minified = result.outputFiles[0]?.contents ?? new Uint8Array();
    const gzip = gzipSync(minified, { level: 9 }).length;
    console.log(`@fluxra/sdk ESM: ${minified.length} B minified, ${gzip} B minified+gzip`);
    expect(gzip).toBeLessThanOrEqual(10 * 1024);
  });
});
