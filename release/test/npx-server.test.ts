import { existsSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createScratchProject,
  runNpx,
  type Started,
  startNpx,
  waitForOutput,
} from "../src/scratch.js";
import { tarballFiles } from "../src/tarball.js";
import { repoRoot } from "../src/workspace.js";

// What the SDK README promises a user: the published @fluxra/server starts with `npx` on SQLite,
// and the published @fluxra/contract-tests checks it. Both come from the packed tarballs,
// installed into a project outside the workspace.
const tarballs = inject("tarballs");
const spec = JSON.parse(readFileSync(join(repoRoot, "openapi/bundled/fluxra.json"), "utf8")) as {
  info: { version: string };
};
let scratch: string;
let server: Started;
let baseUrl: string;

beforeAll(async () => {
  const wanted = ["@fluxra/server", "@fluxra/contract-tests", "@fluxra/sdk"];
  scratch = createScratchProject(wanted.map((name) => tarballs[name] ?? name));
  // Defaults only (./.fluxra/fluxra.db in the working folder); rate limits off for the suite.
  // `npx @fluxra/server`, as the SDK README says (the bin-name form is checked below).
  server = startNpx(scratch, ["@fluxra/server"], { PORT: "0", FLUXRA_RATE_LIMITS: "off" });
  baseUrl = await waitForOutput(server, /listening on (http:\/\/\S+)/);
});

afterAll(async () => {
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the packed @fluxra/server", () => {
  it("ships every SQLite and PostgreSQL migration beside its bundle", () => {
    const files = tarballFiles(tarballs["@fluxra/server"] ?? "");
    // The engines' migrations (src/storage/migrations/<backend>) and every domain's
    // (src/domains/<d>/migrations/<backend>), shipped flat in dist/migrations/<backend>.
    const src = join(repoRoot, "apps/server/src");
    const sqlIn = (dir: string) =>
      existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sql")) : [];
    const migrations = (backend: string) => [
      ...sqlIn(join(src, "storage/migrations", backend)),
      ...readdirSync(join(src, "domains")).flatMap((d) =>
        sqlIn(join(src, "domains", d, "migrations", backend)),
      ),
    ];
    expect(migrations("sqlite").length).toBeGreaterThan(0);
    expect(migrations("postgres").length).toBe(migrations("sqlite").length);
    for (const backend of ["sqlite", "postgres"])
      for (const file of migrations(backend))
        expect(files).toContain(`dist/migrations/${backend}/${file}`);
    expect(files.filter((f) => f.startsWith("src/") || f.endsWith(".test.js"))).toEqual([]);
  });

  it("is installed from the tarball, not linked to the workspace", () => {
    const installed = realpathSync(join(scratch, "node_modules/@fluxra/server"));
    expect(installed.startsWith(repoRoot)).toBe(false);
    expect(existsSync(join(installed, "dist/cli.js"))).toBe(true);
  });

  it("`npx @fluxra/server` answers /health with the spec's API version, on a new SQLite file in WAL mode", async () => {
    const response = await fetch(`${baseUrl}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; version: string };
    expect(body).toMatchObject({ status: "healthy", version: spec.info.version });
    expect(server.output()).toContain(join(scratch, ".fluxra/fluxra.db"));
    expect(existsSync(join(scratch, ".fluxra/fluxra.db"))).toBe(true);
    expect(existsSync(join(scratch, ".fluxra/fluxra.db-wal"))).toBe(true);
  });

  it("answers an unknown route with the error envelope", async () => {
    const response = await fetch(`${baseUrl}/api/no-such-thing`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; status: number } };
    expect(body.error).toMatchObject({ code: "route_not_found", status: 404 });
  });

  it("`npx fluxra-server` (the bin name) starts too", async () => {
    const second = startNpx(scratch, ["fluxra-server", "--db", join(scratch, "second.db")], {
      PORT: "0",
    });
    try {
      const url = await waitForOutput(second, /listening on (http:\/\/\S+)/);
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});

describe("the packed @fluxra/contract-tests", () => {
  it("`npx @fluxra/contract-tests --base-url` passes every rule against the packed server", async () => {
    const report = join(scratch, "report.json");
    const { code, output } = await runNpx(scratch, [
      "@fluxra/contract-tests",
      "--base-url",
      baseUrl,
      "--json-report",
      report,
    ]);
    const { summary } = JSON.parse(readFileSync(report, "utf8")) as {
      summary: { passed: number; failed: number };
    };
    expect(summary.failed, output).toBe(0);
    expect(summary.passed).toBeGreaterThan(90);
    expect(code).toBe(0);
  });

  it("exits 1 and names the broken rules against a server that breaks the contract", async () => {
    // Everything answers 200 `{}`: /health lacks its fields, errors lack the envelope.
    const liar = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
    await new Promise<void>((r) => liar.listen(0, "127.0.0.1", r));
    const { port } = liar.address() as { port: number };
    try {
      const { code, output } = await runNpx(scratch, [
        "fluxra-contract-tests",
        "--base-url",
        `http://127.0.0.1:${port}`,
        "--only",
        "conventions",
      ]);
      expect(code).toBe(1);
      expect(output).toMatch(/FAIL\s+conventions\./);
    } finally {
      await new Promise((r) => liar.close(r));
    }
  });

  it("exits 2 with a clear message when the server is unreachable", async () => {
    const { code, output } = await runNpx(scratch, [
      "fluxra-contract-tests",
      "--base-url",
      "http://127.0.0.1:9",
    ]);
    expect(code).toBe(2);
    expect(output.toLowerCase()).toContain("127.0.0.1:9");
  });
});
