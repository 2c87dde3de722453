#!/usr/bin/env node
// The interactive-prompt tests drive a real terminal through tmux. Fail loudly here rather than let
// them be skipped silently: install tmux (Debian/Ubuntu: `apt-get install -y tmux`).
import { spawnSync } from "node:child_process";

const probe = spawnSync("tmux", ["-V"], { encoding: "utf8" });
if (probe.status !== 0) {
  console.error(
    "@fluxra/cli tests need tmux for the terminal tests: install it (apt-get install -y tmux).",
  );
  process.exit(1);
}
