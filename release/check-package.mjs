#!/usr/bin/env node
// Lints the package in the current directory exactly as it would be published: packs it with
// pnpm (which applies publishConfig, pointing the exports map at dist/), then runs publint and
// @arethetypeswrong/cli on that tarball. Requires the package's build first. Every public package
// runs it as its `check:package` script.
//
//   node ../../release/check-package.mjs              dual ESM + CommonJS package (the SDK)
//   node ../../release/check-package.mjs --esm-only   ESM-only package (a CLI or a server run as
//                                                      a program: no require() entry to check)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const { name } = JSON.parse(readFileSync("package.json", "utf8"));
const esmOnly = process.argv.includes("--esm-only");
const dir = mkdtempSync(join(tmpdir(), `${name.replace(/^@/, "").replace(/\W+/g, "-")}-pack-`));
const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit" });
try {
  execFileSync("pnpm", ["pack", "--pack-destination", dir], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const tarball = join(
    dir,
    readdirSync(dir).find((f) => f.endsWith(".tgz")),
  );
  run("pnpm", ["exec", "publint", "--strict", tarball]);
  run("pnpm", ["exec", "attw", ...(esmOnly ? ["--profile", "esm-only"] : []), tarball]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
