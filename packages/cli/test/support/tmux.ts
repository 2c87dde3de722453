import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Why tmux cannot be used here, or undefined when it can. */
export function tmuxUnavailable(): string | undefined {
  const probe = spawnSync("tmux", ["-V"], { encoding: "utf8" });
  return probe.status === 0 ? undefined : "tmux is not installed (apt-get install -y tmux)";
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A real terminal: `command` runs in a detached tmux session (its own server socket, 120x40),
 * typed into with send-keys and read with capture-pane. When the command ends the pane shows
 * `[exit N]` and stays open for a last capture.
 */
export class Terminal {
  // A socket of its own in a temp dir: no clash with a user's tmux, nothing left behind.
  private readonly dir = mkdtempSync(join(tmpdir(), "fluxra-cli-tmux-"));
  private readonly socket = join(this.dir, "socket");

  /**
   * With `record`, every byte the pane receives (transient progress lines included) is appended
   * to that file, and the command starts only once recording has begun.
   */
  constructor(argv: readonly string[], env: Record<string, string>, record?: string) {
    const assignments = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`);
    const gate = record ? "read -r _; " : "";
    const line = `${gate}env -u NO_COLOR ${assignments.join(" ")} ${argv.map(quote).join(" ")}; echo "[exit $?]"; sleep 120`;
    this.tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", line);
    if (record) {
      this.tmux("pipe-pane", "-o", "-t", "t", `cat >> ${quote(record)}`);
      this.press("Enter");
    }
  }

  private tmux(...args: string[]): string {
    return execFileSync("tmux", ["-S", this.socket, "-f", "/dev/null", ...args], {
      encoding: "utf8",
    });
  }

  /** Types `text` literally (no key-name interpretation). */
  type(text: string): void {
    this.tmux("send-keys", "-t", "t", "-l", text);
  }

  /** Presses keys by name: "Enter", "C-c". */
  press(...keys: string[]): void {
    this.tmux("send-keys", "-t", "t", ...keys);
  }

  /** The visible screen; with `escapes`, colour codes included. */
  screen(escapes = false): string {
    return this.tmux("capture-pane", "-p", "-t", "t", ...(escapes ? ["-e"] : []));
  }

  /** Waits (without blocking the event loop) until the screen contains `text`. */
  async waitFor(text: string | RegExp, ms = 20_000): Promise<string> {
    const until = Date.now() + ms;
    for (;;) {
      const screen = this.screen();
      if (typeof text === "string" ? screen.includes(text) : text.test(screen)) return screen;
      if (Date.now() > until)
        throw new Error(`timed out waiting for ${text} on screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits for the command to end; returns its exit code. */
  async exitCode(): Promise<number> {
    const screen = await this.waitFor(/\[exit \d+\]/);
    return Number(screen.match(/\[exit (\d+)\]/)?.[1]);
  }

  close(): void {
    spawnSync("tmux", ["-S", this.socket, "kill-server"]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
