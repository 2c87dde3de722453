import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { Io } from "../output/io.js";
import { run } from "../run.js";

async function script(shell: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdin: process.stdin,
    env: {},
  };
  const code = await run(["completion", shell], io);
  return { code, out, err };
}

/** What bash completes for the words typed so far (the last one being completed). */
function complete(bashScript: string, words: string[]): string[] {
  const program = `${bashScript}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _fluxra
printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync("bash", ["-c", program], { encoding: "utf8" }).trim().split("\n");
}

describe("fluxra completion", () => {
  it("bash completes commands, subcommands and their flags", async () => {
    const { code, out } = await script("bash");
    expect(code).toBe(0);
    expect(complete(out, ["fluxra", "con"])).toEqual(["conversations"]);
    expect(complete(out, ["fluxra", "keys", ""]).sort()).toEqual(
      expect.arrayContaining(["create", "list", "revoke"]),
    );
    expect(complete(out, ["fluxra", "--json", "conversations", "create-group", "--mem"])).toEqual([
      "--member",
    ]);
    expect(complete(out, ["fluxra", "messages", "cnv_1", "--a"]).sort()).toEqual([
      "--after",
      "--all",
    ]);
  });

  it("prints zsh and fish scripts naming every top-level command", async () => {
    const zsh = await script("zsh");
    expect(zsh.out).toMatch(/^#compdef fluxra/);
    expect(zsh.out).toContain("complete -F _fluxra fluxra");
    const fish = await script("fish");
    for (const command of ["register", "login", "tail", "members", "completion"]) {
      expect(fish.out).toContain(`-a ${command} `);
    }
    expect(fish.out).toContain("__fish_seen_subcommand_from keys' -a create");
  });

  const missing = (shell: string) => spawnSync(shell, ["-c", "exit 0"]).status !== 0;

  it.skipIf(missing("zsh"))(
    "zsh (when installed) loads the script and completes subcommands",
    async () => {
      const { out } = await script("zsh");
      // bashcompinit runs the bash function with ksharrays, as here.
      const program = `${out}
setopt ksharrays; COMP_WORDS=(fluxra keys ""); COMP_CWORD=2; _fluxra; print -l -- "\${COMPREPLY[@]}"`;
      const words = execFileSync("zsh", ["-f", "-c", program], { encoding: "utf8" }).split("\n");
      expect(words).toEqual(expect.arrayContaining(["list", "create", "revoke"]));
    },
  );

  it.skipIf(missing("fish"))(
    "fish (when installed) completes commands with descriptions",
    async () => {
      const { out } = await script("fish");
      const program = `${out}\ncomplete -C "fluxra keys "`;
      const lines = execFileSync("fish", ["-c", program], { encoding: "utf8" }).split("\n");
      expect(lines).toContain("create\tCreate an api key; its secret is printed this once");
    },
  );

  it("rejects an unknown shell as a usage error (exit 2)", async () => {
    const result = await script("tcsh");
    expect(result.code).toBe(2);
    expect(result.err).toContain('Unknown shell "tcsh"');
  });
});
