import type { Io } from "./output/io.js";

/** True when a person can answer a prompt (stdin and stderr are terminals). */
export const interactive = (io: Io): boolean => io.stdin.isTTY === true && io.stderr.isTTY === true;

// Prompts draw on stderr so that stdout carries only results, even mid-pipeline.
const context = (io: Io) => ({
  input: io.stdin,
  output: io.stderr as unknown as NodeJS.WritableStream,
  clearPromptOnDone: false,
});

// The prompt library loads only when a prompt is shown: most runs never ask anything, and every
// run pays for what is imported at startup.

/** Asks for a secret; what is typed is masked. */
export async function askSecret(io: Io, message: string): Promise<string> {
  const { default: password } = await import("@inquirer/password");
  return password({ message, mask: "*" }, context(io));
}

/** Asks yes/no. */
export async function askConfirm(io: Io, message: string, initial = true): Promise<boolean> {
  const { default: confirm } = await import("@inquirer/confirm");
  return confirm({ message, default: initial }, context(io));
}

/** Asks whether to go on, or takes the flag's answer; without a terminal the answer is no. */
export async function decide(
  io: Io,
  flag: boolean | undefined,
  question: string,
  json: boolean,
): Promise<boolean> {
  if (flag !== undefined) return flag;
  if (json || !interactive(io)) return false;
  return askConfirm(io, question);
}
