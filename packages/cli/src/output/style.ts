import type { Io } from "./io.js";

/** ANSI styles that turn into plain text when colour is off. */
export interface Style {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
  yellow(text: string): string;
}

/**
 * Colour only where a person reads it: stdout is a terminal, the output is not JSON, and
 * `NO_COLOR` (https://no-color.org) is unset or empty.
 */
export function colorEnabled(io: Io, json: boolean): boolean {
  return !json && io.stdout.isTTY === true && !io.env["NO_COLOR"] && io.env["TERM"] !== "dumb";
}

const wrap = (on: boolean, open: number, close: number) => (text: string) =>
  on ? `\u001b[${open}m${text}\u001b[${close}m` : text;

/** Styles for `enabled`. */
export function createStyle(enabled: boolean): Style {
  return {
    enabled,
    bold: wrap(enabled, 1, 22),
    dim: wrap(enabled, 2, 22),
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    cyan: wrap(enabled, 36, 39),
    yellow: wrap(enabled, 33, 39),
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/** Visible width of `text` (ANSI escapes do not take up columns). */
export const visibleLength = (text: string): number => text.replace(ANSI, "").length;
