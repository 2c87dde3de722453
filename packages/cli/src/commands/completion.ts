import type { Command } from "commander";
import { UsageError } from "../output/errors.js";
import type { Io } from "../output/io.js";

/** Every command path and its options, read from the commander tree (never restated by hand). */
export function commandTree(program: Command): Map<string, string[]> {
  const tree = new Map<string, string[]>();
  const walk = (cmd: Command, path: string) => {
    const flags = cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
    tree.set(path, [...cmd.commands.map((c) => c.name()), ...flags]);
    for (const sub of cmd.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, "");
  const globals = program.options.flatMap((o) => (o.long ? [o.long] : []));
  for (const [path, words] of tree) if (path) tree.set(path, [...words, ...globals, "--help"]);
  return tree;
}

function bash(tree: Map<string, string[]>): string {
  const cases = [...tree]
    .map(([path, words]) => `    "${path}") words="${words.join(" ")}" ;;`)
    .join("\n");
  return `# fluxra completion for bash: eval "$(fluxra completion bash)"
_fluxra() {
  local cur path="" w i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "\${path:+$path }$w" in
${[...tree.keys()]
  .filter(Boolean)
  .map((p) => `      "${p}") path="${p}" ;;`)
  .join("\n")}
    esac
  done
  local words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _fluxra fluxra
`;
}

function zsh(tree: Map<string, string[]>): string {
  return `#compdef fluxra
# fluxra completion for zsh: fluxra completion zsh > "\${fpath[1]}/_fluxra"
(( $+functions[compdef] )) || { autoload -U +X compinit && compinit }
autoload -U +X bashcompinit && bashcompinit
${bash(tree).replace(/^# .*\n/, "")}`;
}

function fish(program: Command): string {
  const lines = [
    "# fluxra completion for fish: fluxra completion fish > ~/.config/fish/completions/fluxra.fish",
    "complete -c fluxra -f",
  ];
  const walk = (cmd: Command, parents: string[]) => {
    const condition = parents.length
      ? `__fish_seen_subcommand_from ${parents.at(-1)}`
      : "__fish_use_subcommand";
    for (const sub of cmd.commands) {
      const desc = sub.description().replace(/'/g, "\\'");
      lines.push(`complete -c fluxra -n '${condition}' -a ${sub.name()} -d '${desc}'`);
      walk(sub, [...parents, sub.name()]);
    }
  };
  walk(program, []);
  for (const o of program.options) {
    if (o.long)
      lines.push(
        `complete -c fluxra -l ${o.long.slice(2)} -d '${o.description.replace(/'/g, "\\'")}'`,
      );
  }
  return `${lines.join("\n")}\n`;
}

/** `fluxra completion <bash|zsh|fish>`: prints the completion script to source. */
export function completionCommand(program: Command, io: Io): void {
  program
    .command("completion")
    .description("Print a shell completion script (bash, zsh or fish)")
    .argument("<shell>", "bash, zsh or fish")
    .action((shell: string) => {
      const tree = commandTree(program);
      const scripts: Record<string, () => string> = {
        bash: () => bash(tree),
        zsh: () => zsh(tree),
        fish: () => fish(program),
      };
      const make = scripts[shell];
      if (!make) throw new UsageError(`Unknown shell "${shell}": use bash, zsh or fish`);
      io.stdout.write(make());
    });
}
