import { describe, expect, it } from "vitest";
import type { Io } from "./io.js";
import { Output } from "./output.js";

function io(tty: boolean, env: Record<string, string> = {}) {
  let out = "";
  let err = "";
  const value: Io = {
    stdout: { write: (s: string) => (out += s), isTTY: tty },
    stderr: { write: (s: string) => (err += s), isTTY: tty },
    stdin: process.stdin,
    env,
  };
  return { value, out: () => out, err: () => err };
}

describe("Output", () => {
  it("aligns table columns and cuts long cells to one line", () => {
    const t = io(false);
    new Output(t.value, false).table(
      [
        { a: "x", b: "first\nsecond" },
        { a: "longer", b: "z".repeat(80) },
      ],
      [
        { header: "id", cell: (r) => r.a },
        { header: "text", cell: (r) => r.b, max: 10 },
      ],
    );
    expect(t.out()).toBe(`ID      TEXT\nx       first sec…\nlonger  zzzzzzzzz…\n`);
  });

  it("colours only a terminal, and never with NO_COLOR or --json", () => {
    expect(new Output(io(true).value, false).style.enabled).toBe(true);
    expect(new Output(io(false).value, false).style.enabled).toBe(false);
    expect(new Output(io(true, { NO_COLOR: "1" }).value, false).style.enabled).toBe(false);
    expect(new Output(io(true).value, true).style.enabled).toBe(false);
  });

  it("shows progress on a terminal's stderr only", () => {
    const tty = io(true);
    new Output(tty.value, false).progress("Fetched 100 messages…");
    expect(tty.err()).toContain("Fetched 100 messages…");
    const piped = io(false);
    new Output(piped.value, false).progress("Fetched 100 messages…");
    expect(piped.err()).toBe("");
  });
});
