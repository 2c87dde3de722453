import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type StartedReferenceServer, startReferenceServer } from "@fluxra/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageDir, registeredAgent, requireBuild } from "./support/cli.js";

// The packed tarball, installed with npm into a scratch project outside the workspace (nothing
// resolves through pnpm's links): the `fluxra` bin must run from it, SDK bundled in.
const run = promisify(execFile);
let scratch = "";
let bin = "";
let server: StartedReferenceServer;

beforeAll(async () => {
  requireBuild();
  scratch = mkdtempSync(join(tmpdir(), "fluxra-cli-scratch-"));
  const packs = join(scratch, "packs");
  mkdirSync(packs);
  execFileSync("pnpm", ["pack", "--pack-destination", packs], { cwd: packageDir, stdio: "ignore" });
  const tarball = join(packs, readdirSync(packs)[0] ?? "");
  const app = join(scratch, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "scratch", private: true }));
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], {
    cwd: app,
    stdio: "ignore",
  });
  bin = join(app, "node_modules/.bin/fluxra");
  server = await startReferenceServer();
}, 180_000);

afterAll(async () => {
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("packed tarball", () => {
  it("installs a working `fluxra` bin: --help, --version, and a real API call", async () => {
    const version = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")).version;
    expect((await run(bin, ["--version"])).stdout.trim()).toBe(version);
    const help = (await run(bin, ["--help"])).stdout;
    expect(help).toMatch(/^Usage: fluxra \[options\] \[command\]/);
    expect(help).toContain("Exit codes:");
    const manifest = JSON.parse(
      readFileSync(join(scratch, "app/node_modules/@fluxra/cli/package.json"), "utf8"),
    );
    // Nothing unpublished leaks into what npm installs.
    expect(
      Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith("@fluxra/")),
    ).toEqual([]);

    const agent = await registeredAgent(server.baseUrl);
    const { stdout } = await run(bin, ["whoami", "--json"], {
      env: {
        PATH: process.env["PATH"],
        FLUXRA_CONFIG_DIR: agent.configDir,
        FLUXRA_BASE_URL: server.baseUrl,
      },
    });
    expect(JSON.parse(stdout).handle).toBe(agent.handle);
  });
});
