import { execFile } from "node:child_process";
import { resolve } from "node:path";

const docsRoot = resolve(import.meta.dirname, "../..");

/** What a sample printed. */
export interface SampleRun {
  stdout: string;
  stderr: string;
}

/**
 * Runs one file of `samples/` exactly as a reader would: `bash file.sh` or `tsx file.ts` (the
 * SDK resolved from the workspace), with the given environment.
 *
 * @throws with the sample's output when it exits non-zero.
 */
export function runSample(file: string, env: Record<string, string>): Promise<SampleRun> {
  const path = resolve(docsRoot, "samples", file);
  const [command, args] = file.endsWith(".sh")
    ? ["bash", [path]]
    : [resolve(docsRoot, "node_modules/.bin/tsx"), [path]];
  return new Promise((done, fail) => {
    execFile(
      command,
      args,
      { cwd: docsRoot, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error)
          fail(
            new Error(
              `${file} failed: ${error.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
            ),
          );
        else done({ stdout, stderr });
      },
    );
  });
}

/** The value printed after `label: ` on a line of the output. */
export function printed(output: string, label: string): string {
  const match = output.match(new RegExp(`^${label}: (\\S+)`, "m"));
  if (!match?.[1]) throw new Error(`no "${label}:" line in:\n${output}`);
  return match[1];
}
