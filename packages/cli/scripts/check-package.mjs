#!/usr/bin/env node
// Lints the package exactly as it would be published: packs it with pnpm, then runs publint and
// @arethetypeswrong/cli on that tarball. Requires `pnpm run build` first.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "fluxra-cli-pack-"));
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
  // ESM only (a CLI needs no require() entry): check the resolution modes that can load it.
  run("pnpm", ["exec", "attw", "--profile", "esm-only", tarball]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
