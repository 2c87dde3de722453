import { APIConnectionError, APIError, APIUserAbortError, redact } from "@fluxra/sdk";
import { CommanderError } from "commander";
import type { Io } from "./io.js";

/** Exit codes, documented in the README: scripts branch on them. */
export const ExitCode = { ok: 0, error: 1, usage: 2, interrupted: 130 } as const;

/** Wrong use of the command line (missing argument, bad flag value): exit 2. */
export class UsageError extends Error {}

/** A failure the CLI detects itself, with a stable `code` like the API's (exit 1). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface Reported {
  code: string;
  message: string;
  status?: number | undefined;
  request_id?: string;
}

function describe(error: unknown): { exit: number; report?: Reported } {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help/version it was asked for).
    return { exit: error.exitCode === 0 ? ExitCode.ok : ExitCode.usage };
  }
  if (error instanceof UsageError) {
    return { exit: ExitCode.usage, report: { code: "usage", message: error.message } };
  }
  if (error instanceof APIUserAbortError) return { exit: ExitCode.interrupted };
  // Connection failures are APIErrors without a status: test for them first.
  if (error instanceof APIConnectionError) {
    return {
      exit: ExitCode.error,
      report: { code: "connection_error", message: `Could not reach the API: ${error.message}` },
    };
  }
  if (error instanceof APIError) {
    return {
      exit: ExitCode.error,
      report: {
        code: error.code ?? `http_${error.status}`,
        message: error.message,
        status: error.status,
        ...(error.requestId ? { request_id: error.requestId } : {}),
      },
    };
  }
  if (error instanceof CliError) {
    return { exit: ExitCode.error, report: { code: error.code, message: error.message } };
  }
  if (error instanceof Error && error.name === "ExitPromptError") {
    return { exit: ExitCode.interrupted }; // Ctrl-C in a prompt
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exit: ExitCode.error, report: { code: "internal", message } };
}

/**
 * Prints `error` on stderr and returns the exit code. With `--json` the report is the API's error
 * envelope; otherwise one line with the `code`. Every message goes through the SDK's redaction,
 * so a secret that slipped into one is masked.
 */
export function reportError(error: unknown, io: Io, json: boolean): number {
  const { exit, report } = describe(error);
  if (!report) return exit;
  const safe = { ...report, message: redact(report.message) };
  if (json) {
    io.stderr.write(`${JSON.stringify({ error: safe })}\n`);
  } else {
    const where = [
      `code: ${safe.code}`,
      safe.status ? `status ${safe.status}` : "",
      safe.request_id ? `request ${safe.request_id}` : "",
    ].filter(Boolean);
    io.stderr.write(`Error: ${safe.message} (${where.join(", ")})\n`);
  }
  return exit;
}
