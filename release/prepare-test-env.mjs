#!/usr/bin/env node
// Prepares what the test suites need beyond `pnpm install`, so that the README's test command
// passes on a fresh Debian machine: Debian's Chromium (docs-site browser tests), tmux, zsh and fish
// (the CLI's terminal and completion tests) and a PostgreSQL server (the PostgreSQL storage suites). It installs or starts them when it can (root, apt,
// an installed cluster), and otherwise stops the test run at once with one sentence saying what
// to install, instead of letting dozens of tests fail later with a less obvious message.
//
//   FLUXRA_CHROMIUM      a Chromium executable to use instead of `chromium` on PATH
//   FLUXRA_TEST_PG_URL   the PostgreSQL server the suites use (default postgres://postgres@127.0.0.1:5432/postgres)
import { execFileSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { connect } from "node:net";
import { delimiter, join } from "node:path";

const DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** The first executable file called `name` on PATH, or undefined. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function fail(sentence) {
  process.stderr.write(`prepare-test-env: ${sentence}\n`);
  process.exit(1);
}

function run(cmd, args) {
  execFileSync(cmd, args, {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** Debian packages the suites run, each with the command it provides and why it is needed. */
const TOOLS = [
  { command: "chromium", why: "the docs-site browser tests" },
  { command: "tmux", why: "the CLI's terminal tests" },
  { command: "zsh", why: "the CLI's zsh completion test" },
  { command: "fish", why: "the CLI's fish completion test" },
];

/** Installs the missing tools with one apt-get run when that is possible (root, apt-get). */
function installMissing(missing) {
  const apt = onPath("apt-get");
  if (!isRoot || !apt || missing.length === 0) return;
  const names = missing.map((t) => t.command);
  process.stdout.write(`prepare-test-env: installing Debian's ${names.join(", ")} with apt-get\n`);
  try {
    run(apt, ["update", "-qq"]);
    run(apt, ["install", "-y", "-qq", "--no-install-recommends", ...names]);
  } catch {
    const what = names.length === 1 ? `${names[0]} package` : `${names.join(", ")} packages`;
    fail(
      `apt-get could not install ${names.join(", ")}: install Debian's ${what} (\`apt-get install -y ${names.join(" ")}\`) and run the tests again.`,
    );
  }
}

/** Makes sure every tool is there; returns the Chromium executable the browser tests use. */
function prepareTools() {
  const override = process.env.FLUXRA_CHROMIUM;
  if (override && !isExecutable(override))
    fail(
      `FLUXRA_CHROMIUM is set to ${override}, which is not an executable file: point it at a Chromium binary or unset it to use Debian's chromium.`,
    );
  const needed = TOOLS.filter((t) => !(t.command === "chromium" && override));
  installMissing(needed.filter((t) => !onPath(t.command)));
  for (const tool of needed) {
    if (onPath(tool.command)) continue;
    if (tool.command === "chromium")
      fail(
        "Chromium is missing: install Debian's chromium package (`sudo apt-get install -y chromium`) or set FLUXRA_CHROMIUM to a Chromium executable.",
      );
    fail(
      `${tool.command} is missing (${tool.why}): install Debian's ${tool.command} package (\`sudo apt-get install -y ${tool.command}\`).`,
    );
  }
  return override ?? onPath("chromium");
}

/** Resolves true when something accepts TCP connections at host:port within `ms`. */
function reachable(host, port, ms = 1000) {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(ms, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

/** Starts every stopped cluster of Debian's postgresql-common that listens on `port`. */
function startClusters(port) {
  const list = onPath("pg_lsclusters");
  const ctl = onPath("pg_ctlcluster");
  if (!list || !ctl) return false;
  const lines = execFileSync(list, ["--no-header"], { encoding: "utf8" }).split("\n");
  let started = false;
  for (const line of lines) {
    const [version, cluster, clusterPort, status] = line.trim().split(/\s+/);
    if (!version || !cluster || Number(clusterPort) !== port || status?.startsWith("online"))
      continue;
    process.stdout.write(`prepare-test-env: starting PostgreSQL cluster ${version}/${cluster}\n`);
    try {
      run(ctl, ["--skip-systemctl-redirect", version, cluster, "start"]);
      started = true;
    } catch {
      // Reported below, with what to do about it.
    }
  }
  return started;
}

async function preparePostgres() {
  const url = new URL(process.env.FLUXRA_TEST_PG_URL || DEFAULT_PG_URL);
  const host = url.hostname || "127.0.0.1";
  const port = Number(url.port || 5432);
  if (await reachable(host, port)) return `${host}:${port}`;
  if (startClusters(port)) {
    for (let i = 0; i < 30; i++) {
      if (await reachable(host, port)) return `${host}:${port}`;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return fail(
    `PostgreSQL is not reachable at ${host}:${port}: install and start it (\`sudo apt-get install -y postgresql\`, trust auth for 127.0.0.1) or set FLUXRA_TEST_PG_URL to a server the tests may use.`,
  );
}

const chromium = prepareTools();
const postgres = await preparePostgres();
process.stdout.write(`prepare-test-env: chromium ${chromium}, PostgreSQL at ${postgres}\n`);
