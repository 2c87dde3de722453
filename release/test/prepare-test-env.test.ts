import { spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

// Runs the README test command's set-up step (release/prepare-test-env.mjs) against machine
// states made of fake executables on a private PATH: no Chromium, apt-get that works or fails,
// a stopped PostgreSQL cluster, nothing listening.
const script = resolve(import.meta.dirname, "../prepare-test-env.mjs");
const isRoot = process.getuid?.() === 0;
let root: string;
let dirs = 0;

// tmux, zsh and fish (the CLI's suites) stand on a PATH entry of their own, added to every run
// unless a test asks for a machine without them.
let otherTools: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "fluxra-prepare-"));
  otherTools = join(root, "other-tools");
  mkdirSync(otherTools);
  for (const name of ["tmux", "zsh", "fish"]) executable(otherTools, name, "exit 0");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshDir(): string {
  const dir = join(root, String(dirs++));
  mkdirSync(dir);
  return dir;
}

function executable(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the script with only `env` (no inherited PATH), resolving when it exits. */
function prepare(env: Record<string, string>, withOtherTools = true): Promise<Result> {
  const path = withOtherTools ? `${env["PATH"]}:${otherTools}` : (env["PATH"] ?? "");
  return new Promise((done) => {
    const child = spawn(process.execPath, [script], {
      env: { ...env, PATH: path },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on("exit", (code) => done({ code, stdout, stderr }));
  });
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Listens on `port` (0: any free one) on 127.0.0.1, as a stand-in PostgreSQL server. */
async function listen(port = 0): Promise<number> {
  const server = createServer((socket) => socket.end());
  servers.push(server);
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return (server.address() as { port: number }).port;
}

async function closedPort(): Promise<number> {
  const port = await listen();
  await new Promise((r) => servers.pop()?.close(r));
  return port;
}

const pgUrl = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;

describe("Chromium", () => {
  it("uses FLUXRA_CHROMIUM when it is an executable, and reports the PostgreSQL server it reached", async () => {
    const bin = freshDir();
    const chromium = executable(bin, "my-chromium", "exit 0");
    const port = await listen();
    const result = await prepare({
      PATH: bin,
      FLUXRA_CHROMIUM: chromium,
      FLUXRA_TEST_PG_URL: pgUrl(port),
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`chromium ${chromium}, PostgreSQL at 127.0.0.1:${port}`);
  });

  it("finds chromium on PATH", async () => {
    const bin = freshDir();
    const chromium = executable(bin, "chromium", "exit 0");
    const result = await prepare({ PATH: bin, FLUXRA_TEST_PG_URL: pgUrl(await listen()) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`chromium ${chromium},`);
  });

  it("stops at once with one sentence when FLUXRA_CHROMIUM is not an executable", async () => {
    const missing = join(freshDir(), "no-such-chromium");
    const result = await prepare({ PATH: freshDir(), FLUXRA_CHROMIUM: missing });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      `prepare-test-env: FLUXRA_CHROMIUM is set to ${missing}, which is not an executable file: point it at a Chromium binary or unset it to use Debian's chromium.`,
    ]);
  });

  it("without chromium or apt-get, says in one sentence what to install", async () => {
    const result = await prepare({ PATH: freshDir(), FLUXRA_TEST_PG_URL: pgUrl(await listen()) });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      "prepare-test-env: Chromium is missing: install Debian's chromium package (`sudo apt-get install -y chromium`) or set FLUXRA_CHROMIUM to a Chromium executable.",
    ]);
  });

  it("installs Debian's chromium with apt-get when it runs as root (and only then)", async () => {
    const bin = freshDir();
    const log = join(bin, "apt.log");
    // A stand-in apt-get: records its arguments; `install` puts a chromium on PATH.
    executable(
      bin,
      "apt-get",
      `echo "$@" >> ${log}\nif [ "$1" = install ]; then printf '#!/bin/sh\\n' > ${bin}/chromium; /bin/chmod 755 ${bin}/chromium; fi`,
    );
    const result = await prepare({ PATH: bin, FLUXRA_TEST_PG_URL: pgUrl(await listen()) });
    if (!isRoot) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("Chromium is missing");
      expect(existsSync(log)).toBe(false);
      return;
    }
    expect(result.code).toBe(0);
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
      "update -qq",
      "install -y -qq --no-install-recommends chromium",
    ]);
    expect(result.stdout).toContain(`chromium ${join(bin, "chromium")},`);
  });

  it.runIf(isRoot)("says what to install when apt-get fails", async () => {
    const bin = freshDir();
    executable(bin, "apt-get", "echo 'E: Unable to locate package chromium' >&2; exit 100");
    const result = await prepare({ PATH: bin, FLUXRA_TEST_PG_URL: pgUrl(await listen()) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "prepare-test-env: apt-get could not install chromium: install Debian's chromium package (`apt-get install -y chromium`) and run the tests again.",
    );
  });
});

describe("tmux, zsh and fish", () => {
  it("without tmux and no way to install it, says in one sentence what to install", async () => {
    const bin = freshDir();
    for (const name of ["chromium", "zsh", "fish"]) executable(bin, name, "exit 0");
    const result = await prepare({ PATH: bin, FLUXRA_TEST_PG_URL: pgUrl(await listen()) }, false);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      "prepare-test-env: tmux is missing (the CLI's terminal tests): install Debian's tmux package (`sudo apt-get install -y tmux`).",
    ]);
  });

  it.runIf(isRoot)("installs every missing tool with one apt-get run", async () => {
    const bin = freshDir();
    const log = join(bin, "apt.log");
    executable(
      bin,
      "apt-get",
      `echo "$@" >> ${log}\nif [ "$1" = install ]; then for t in chromium tmux zsh fish; do printf '#!/bin/sh\\n' > ${bin}/$t; /bin/chmod 755 ${bin}/$t; done; fi`,
    );
    const result = await prepare({ PATH: bin, FLUXRA_TEST_PG_URL: pgUrl(await listen()) }, false);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
      "update -qq",
      "install -y -qq --no-install-recommends chromium tmux zsh fish",
    ]);
  });
});

describe("PostgreSQL", () => {
  it("stops with one sentence when nothing listens and no cluster can be started", async () => {
    const bin = freshDir();
    const port = await closedPort();
    const started = Date.now();
    const result = await prepare({
      PATH: bin,
      FLUXRA_CHROMIUM: executable(bin, "chromium", "exit 0"),
      FLUXRA_TEST_PG_URL: pgUrl(port),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      `prepare-test-env: PostgreSQL is not reachable at 127.0.0.1:${port}: install and start it (\`sudo apt-get install -y postgresql\`, trust auth for 127.0.0.1) or set FLUXRA_TEST_PG_URL to a server the tests may use.`,
    ]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("starts the stopped cluster that owns the port with pg_ctlcluster, then waits for it", async () => {
    const bin = freshDir();
    const port = await closedPort();
    const log = join(bin, "ctl.log");
    executable(
      bin,
      "pg_lsclusters",
      `echo "13 old 5999 down postgres /x /y"\necho "15 main ${port} down postgres /x /y"`,
    );
    executable(bin, "pg_ctlcluster", `echo "$@" >> ${log}`);
    // The "cluster" comes up once pg_ctlcluster has been asked to start it.
    const poll = setInterval(() => {
      if (existsSync(log)) {
        clearInterval(poll);
        void listen(port);
      }
    }, 50);
    const result = await prepare({
      PATH: bin,
      FLUXRA_CHROMIUM: executable(bin, "chromium", "exit 0"),
      FLUXRA_TEST_PG_URL: pgUrl(port),
    });
    clearInterval(poll);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(readFileSync(log, "utf8").trim()).toBe("--skip-systemctl-redirect 15 main start");
    expect(result.stdout).toContain(`PostgreSQL at 127.0.0.1:${port}`);
  });
});
