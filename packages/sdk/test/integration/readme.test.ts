import { readFileSync, rmSync, writeFileSync } from "node:fs";
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
