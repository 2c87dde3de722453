import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type StartedReferenceServer, startReferenceServer } from "@fluxra/server/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN, registeredAgent, requireBuild, tempDir } from "./support/cli.js";
import { Terminal, tmuxUnavailable } from "./support/tmux.js";

// Progress lines are redrawn and then erased, so the screen never keeps them: the terminal's whole
// byte stream is recorded (tmux pipe-pane) and read afterwards.
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

describe.skipIf(unavailable)(
  `progress on long work${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    it("messages --all and send --each-line report progress on a terminal, not in pipes", async () => {
      const ada = await registeredAgent(server.baseUrl);
      const group = await ada.json<{ id: string }>(["conversations", "create-group", "Long"]);
      const lines = Array.from({ length: 250 }, (_, i) => `m${i + 1}`).join("\n");
      const piped = await ada.run(["send", group.id, "-", "--each-line"], { input: lines });
      expect(piped.code).toBe(0);
      expect(piped.stderr).toBe(""); // not a terminal: no progress noise for scripts

      const env = { FLUXRA_BASE_URL: server.baseUrl, FLUXRA_CONFIG_DIR: ada.configDir };
      const record = join(tempDir(), "pane.log");
      // stdout to /dev/null: progress depends on stderr being a terminal, not stdout.
      const sh = `${process.execPath} ${BIN} messages ${group.id} --all > /dev/null`;
      const t = new Terminal(["sh", "-c", sh], env, record);
      terminals.push(t);
      expect(await t.exitCode()).toBe(0);
      const stream = readFileSync(record, "utf8");
      expect(stream).toContain("Fetched 100 messages…");
      expect(stream).toContain("Fetched 250 messages…");
      // Erased once done: the final screen holds no progress line.
      expect(t.screen()).not.toContain("Fetched");

      const sendRecord = join(tempDir(), "pane.log");
      const send = new Terminal(
        [
          "sh",
          "-c",
          `printf 'a\\nb\\nc\\n' | ${process.execPath} ${BIN} send ${group.id} - --each-line`,
        ],
        env,
        sendRecord,
      );
      terminals.push(send);
      expect(await send.exitCode()).toBe(0);
      expect(readFileSync(sendRecord, "utf8")).toContain("Sent 3/3…");
      expect(send.screen()).toMatch(/Sent 3 messages \(#251-#253\) to cnv_/);
    });
  },
);
