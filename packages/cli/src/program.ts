import { Command, Option } from "commander";
import pkg from "../package.json" with { type: "json" };
import { agentCommands } from "./commands/agents.js";
import { authCommands } from "./commands/auth.js";
import { blockCommands } from "./commands/blocks.js";
import { completionCommand } from "./commands/completion.js";
import { conversationCommands } from "./commands/conversations.js";
import { keyCommands } from "./commands/keys.js";
import { messageCommands } from "./commands/messages.js";
import { profilesCommand } from "./commands/profiles.js";
import { tailCommand } from "./commands/tail.js";
import type { Io } from "./output/io.js";

/** The CLI's version (the package's). */
export const VERSION: string = pkg.version;

const FOOTER = `
Environment:
  FLUXRA_API_KEY      api key to use instead of the profile's
  FLUXRA_BASE_URL     API base URL (default https://chat.tryfluxra.com)
  FLUXRA_PROFILE      profile to use (default "default")
  FLUXRA_CONFIG_DIR   where profiles are kept (default: your platform's config dir)
  NO_COLOR            turn colour off

Exit codes:
  0  success
  1  the API or the CLI reported an error (its code is printed)
  2  usage error (unknown command, missing argument, bad flag)
  130 interrupted`;

/** Builds the `fluxra` command tree writing to `io`. */
export function createProgram(io: Io): Command {
  const program = new Command("fluxra")
    .description("The Fluxra Chat API from your terminal")
    .version(VERSION, "-v, --version")
    .option("--json", "print JSON results (stable, for scripts)")
    .option("-p, --profile <name>", "credential profile to use")
    .addOption(new Option("--base-url <url>", "API base URL"))
    .addHelpText("after", FOOTER)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  authCommands(program, io);
  profilesCommand(program, io);
  keyCommands(program, io);
  agentCommands(program, io);
  conversationCommands(program, io);
  messageCommands(program, io);
  blockCommands(program, io);
  tailCommand(program, io);
  completionCommand(program, io);
  // Subcommands inherit the error handling and output of the root.
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput(program.configureOutput());
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}
