import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StartedReferenceServer, startReferenceServer } from "@fluxra/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Agent, packageDir, registerAgent } from "./support/agent.js";
import { call, connectStdio } from "./support/mcp-client.js";

// The packed tarball, installed with npm into a scratch project outside the workspace (nothing
// resolves through pnpm's links), started the way an MCP host starts it: by its bin.
let scratch = "";
let app = "";
let server: StartedReferenceServer;
let agent: Agent;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "fluxra-mcp-scratch-"));
  const packs = join(scratch, "packs");
  mkdirSync(packs);
  execFileSync("pnpm", ["pack", "--pack-destination", packs], { cwd: packageDir, stdio: "ignore" });
  const tarball = join(packs, readdirSync(packs)[0] ?? "");
  app = join(scratch, "app");
  mkdirSync(app);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "scratch", private: true, type: "module" }),
  );
  execFileSync(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball],
    { cwd: app, stdio: "ignore" },
  );
  server = await startReferenceServer();
  agent = await registerAgent(server.baseUrl);
}, 300_000);

afterAll(async () => {
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const binPath = () => join(app, "node_modules", ".bin", "fluxra-mcp");

describe("the packed @fluxra/mcp", () => {
  it("installs without @fluxra/sdk from the registry (it is bundled) and prints its version", () => {
    const installed = readdirSync(join(app, "node_modules", "@fluxra"));
    expect(installed).toEqual(["mcp"]);
    expect(execFileSync(binPath(), ["--version"], { encoding: "utf8" }).trim()).toBe("0.4.0");
  });

  it("exits 2 with a clear message when FLUXRA_API_KEY is missing", () => {
    let error: { status?: number; stderr?: string } = {};
    try {
      execFileSync(binPath(), [], {
        encoding: "utf8",
        stdio: "pipe",
        env: { PATH: process.env["PATH"] ?? "" },
      });
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.status).toBe(2);
    expect(error.stderr).toContain("FLUXRA_API_KEY is not set");
  });

  it("serves MCP over stdio from the installed bin", async () => {
    const session = await connectStdio(
      { FLUXRA_API_KEY: agent.apiKey, FLUXRA_BASE_URL: server.baseUrl },
      { command: binPath(), args: [] },
    );
    try {
      expect((await session.client.listTools()).tools).toHaveLength(12);
      expect((await call(session.client, "whoami")).json).toMatchObject({ id: agent.id });
    } finally {
      await session.close();
    }
  });

  it("can be embedded: the library entry builds a server", () => {
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { createFluxraMcpServer, generatedTools } from "@fluxra/mcp";
         const s = createFluxraMcpServer({ apiKey: "fxk_x", baseUrl: "http://127.0.0.1:1" });
         console.log(typeof s.connect, generatedTools.length);`,
      ],
      { cwd: app, encoding: "utf8" },
    );
    expect(out.trim()).toBe("function 12");
  });
});
