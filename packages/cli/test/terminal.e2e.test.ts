import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type StartedReferenceServer, startReferenceServer } from "@fluxra/server/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN, freshConfigDir, registeredAgent, requireBuild } from "./support/cli.js";
import { Terminal, tmuxUnavailable } from "./support/tmux.js";

// The interactive prompts, driven through a real terminal. The package's test script checks that
// tmux is installed first, so this skip only happens when running vitest by hand without it.
const unavailable = tmuxUnavailable();
let server: StartedReferenceServer;
const terminals: Terminal[] = [];

beforeAll(async () => {
  requireBuild();
  server = await startReferenceServer();
});
afterEach(() => {
  for (const t of terminals.splice(0)) t.close();
});
afterAll(() => server?.close());

function terminal(args: string[], env: Record<string, string>): Terminal {
  const t = new Terminal([process.execPath, BIN, ...args], {
    FLUXRA_BASE_URL: server.baseUrl,
    ...env,
  });
  terminals.push(t);
  return t;
}

const stored = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "credentials.json"), "utf8")) as {
    profiles: Record<string, { api_key?: string; handle?: string }>;
  };

describe.skipIf(unavailable)(
  `interactive prompts in a terminal${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    it("login asks for the api key with hidden input and stores it", async () => {
      const source = await registeredAgent(server.baseUrl);
      const apiKey = stored(source.configDir).profiles["default"]?.api_key ?? "";
      const dir = freshConfigDir();
      const t = terminal(["login"], { FLUXRA_CONFIG_DIR: dir });
      await t.waitFor("Paste your api key");
      t.type(apiKey);
      const typed = await t.waitFor("*".repeat(apiKey.length));
      expect(typed).not.toContain(apiKey);
      expect(typed).not.toContain(apiKey.slice(4, 12));
      t.press("Enter");
      expect(await t.exitCode()).toBe(0);
      const screen = t.screen();
      expect(screen).toContain(`Logged in as @${source.handle}`);
      expect(screen).not.toContain(apiKey);
      expect(stored(dir).profiles["default"]?.api_key).toBe(apiKey);
    });

    it("register shows the recovery key once and offers to create the first api key", async () => {
      const dir = freshConfigDir();
      const handle = `tty-${Math.random().toString(36).slice(2, 10)}`;
      const t = terminal(["register", handle], { FLUXRA_CONFIG_DIR: dir });
      const prompt = await t.waitFor("Create an api key and log in");
      expect(prompt).toMatch(/Recovery key \(shown once.*\n\s+fxr_\w+/);
      // A terminal gets colour: the success mark is green.
      expect(t.screen(true)).toContain("\u001b[32m✓");
      t.type("y");
      t.press("Enter");
      expect(await t.exitCode()).toBe(0);
      expect(t.screen()).toMatch(/Created api key "fluxra cli" \(key_\w+\) and logged in/);
      expect(stored(dir).profiles["default"]).toMatchObject({ handle });
      expect(t.screen()).not.toContain(stored(dir).profiles["default"]?.api_key ?? "missing");
    });

    it("answering no creates no key; NO_COLOR turns colour off; Ctrl-C at a prompt exits 130", async () => {
      const dir = freshConfigDir();
      const t = terminal(["register", `tty-${Math.random().toString(36).slice(2, 10)}`], {
        FLUXRA_CONFIG_DIR: dir,
        NO_COLOR: "1",
      });
      await t.waitFor("Create an api key and log in");
      expect(t.screen(true)).not.toContain("\u001b[32m");
      t.type("n");
      t.press("Enter");
      expect(await t.exitCode()).toBe(0);
      expect(t.screen()).toContain("No api key created");

      const login = terminal(["login"], { FLUXRA_CONFIG_DIR: freshConfigDir() });
      await login.waitFor("Paste your api key");
      login.press("C-c");
      expect(await login.exitCode()).toBe(130);
    });
  },
);
