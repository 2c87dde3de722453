import { readFileSync, rmSync, writeFileSync } from "node:fs";
import ts from "typescript";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { packageDir } from "../support/dist.js";
import { startServer, type TestServer } from "../support/server.js";

// The README's quickstart, extracted and run exactly as written against the reference server
// over real HTTP: if the README drifts from the SDK, this fails.
let server: TestServer;
const file = `${packageDir}test/.quickstart-${process.pid}.ts`;

beforeAll(async () => {
  server = startServer();
  Object.assign(process.env, { FLUXRA_BASE_URL: await server.listen() });
});
afterAll(async () => {
  Reflect.deleteProperty(process.env, "FLUXRA_BASE_URL");
  rmSync(file, { force: true });
  await server.close();
});

/** Every ```ts block of the README, in order. */
function blocks(): string[] {
  const readme = readFileSync(`${packageDir}README.md`, "utf8");
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
}

/** The first ```ts block under "## Quickstart". */
function quickstart(): string {
  const readme = readFileSync(`${packageDir}README.md`, "utf8");
  const section = readme.slice(readme.indexOf("## Quickstart"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error("README has no ```ts block under ## Quickstart");
  return match[1];
}

it("runs the README quickstart as written", async () => {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    writeFileSync(file, quickstart());
    await import(/* @vite-ignore */ file);
    expect(log.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringMatching(/^quickstart-[0-9a-z]+ sent message #1$/),
      "Hello, Fluxra!",
    ]);
  } finally {
    log.mockRestore();
  }
});

it("type-checks every TypeScript sample of the README", () => {
  // Samples after the quickstart use `client` and `conversationId` from the prose around them.
  const prelude = [
    'import { createFluxraClient } from "@fluxra/sdk";',
    "declare const client: ReturnType<typeof createFluxraClient>;",
    "declare const conversationId: string;",
  ].join("\n");
  const files = blocks().map((code, i) => {
    const file = `${packageDir}test/.readme-sample-${process.pid}-${i}.ts`;
    // The quickstart and the example bot are whole programs with their own `client`.
    const standalone = i === 0 || /\bconst client =/.test(code);
    writeFileSync(file, standalone ? `${code}\nexport {};\n` : `${prelude}\n${code}\nexport {};\n`);
    return file;
  });
  try {
    const diagnostics = typecheck(files);
    expect(diagnostics).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(4);
  } finally {
    for (const file of files) rmSync(file, { force: true });
  }
}, 120_000);

/** Type errors of `files` under the package's strict settings, `@fluxra/sdk` mapped to src. */
function typecheck(files: string[]): string[] {
  const configPath = `${packageDir}tsconfig.json`;
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, packageDir);
  // Samples are written for a typical strict project: two house-style rules that flag idiomatic
  // sample code (`process.env.X`, a result left for the reader) are relaxed for them.
  const options = {
    ...parsed.options,
    noPropertyAccessFromIndexSignature: false,
    noUnusedLocals: false,
    paths: { "@fluxra/sdk": ["./src/index.ts"] },
    baseUrl: packageDir,
  };
  const program = ts.createProgram(files, options);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.includes(d.file.fileName))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

it("shows the example bot exactly as the docs run it (docs-site/samples/events-bot.ts)", () => {
  const readme = readFileSync(`${packageDir}README.md`, "utf8");
  const section = readme.slice(readme.indexOf("### Example bot"));
  const shown = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const sample = readFileSync(`${packageDir}../../docs-site/samples/events-bot.ts`, "utf8");
  expect(shown).toBe(sample);
});
