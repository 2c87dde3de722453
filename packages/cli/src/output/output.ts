import type { Io } from "./io.js";
import { colorEnabled, createStyle, type Style, visibleLength } from "./style.js";

/** A table column: the header and how to render a row's cell. */
export interface Column<T> {
  header: string;
  cell(row: T): string;
  /** Longest cell before it is cut with "…" (long message contents, descriptions). */
  max?: number;
}

/** Writes results the way the caller asked: human tables (stdout), notes and progress (stderr), or JSON. */
export class Output {
  readonly style: Style;
  private progressShown = false;

  constructor(
    private readonly io: Io,
    readonly jsonMode: boolean,
  ) {
    this.style = createStyle(colorEnabled(io, jsonMode));
  }

  /** Prints `value` as JSON on stdout (the `--json` result of a command). */
  json(value: unknown): void {
    this.clearProgress();
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Prints a line of human output on stdout. */
  line(text = ""): void {
    this.clearProgress();
    this.io.stdout.write(`${text}\n`);
  }

  /** A note for the person at the terminal, on stderr so it never mixes with piped results. */
  note(text: string): void {
    this.clearProgress();
    this.io.stderr.write(`${text}\n`);
  }

  /** Aligned columns; an empty list prints `empty` instead. */
  table<T>(rows: readonly T[], columns: readonly Column<T>[], empty = "Nothing to show."): void {
    if (rows.length === 0) {
      this.note(this.style.dim(empty));
      return;
    }
    const cells = rows.map((row) =>
      columns.map((c) => truncate(oneLine(c.cell(row)), c.max ?? 60)),
    );
    const widths = columns.map((c, i) =>
      Math.max(c.header.length, ...cells.map((r) => visibleLength(r[i] ?? ""))),
    );
    const render = (r: string[]) =>
      r
        .map((cell, i) =>
          i === r.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visibleLength(cell)),
        )
        .join("  ")
        .trimEnd();
    this.line(this.style.bold(render(columns.map((c) => c.header.toUpperCase()))));
    for (const r of cells) this.line(render(r));
  }

  /** `label  value` pairs, aligned. */
  fields(pairs: ReadonlyArray<readonly [string, string | null | undefined]>): void {
    const width = Math.max(...pairs.map(([label]) => label.length));
    for (const [label, value] of pairs) {
      this.line(`${this.style.dim(label.padEnd(width))}  ${value ?? "-"}`);
    }
  }

  /**
   * Progress on long work, on stderr and only when stderr is a terminal (a script reading
   * stderr never sees carriage-return noise).
   */
  progress(text: string): void {
    if (this.io.stderr.isTTY !== true) return;
    this.io.stderr.write(`\r\u001b[2K${text}`);
    this.progressShown = true;
  }

  /** Removes the progress line, if any. */
  clearProgress(): void {
    if (!this.progressShown) return;
    this.io.stderr.write("\r\u001b[2K");
    this.progressShown = false;
  }
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ");
const truncate = (text: string, max: number) =>
  visibleLength(text) > max ? `${text.slice(0, max - 1)}…` : text;
