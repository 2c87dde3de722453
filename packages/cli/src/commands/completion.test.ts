import { execFileSync } from "node:child_process";
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

  it("rejects an unknown shell as a usage error (exit 2)", async () => {
    const result = await script("tcsh");
    expect(result.code).toBe(2);
    expect(result.err).toContain('Unknown shell "tcsh"');
  });
});
