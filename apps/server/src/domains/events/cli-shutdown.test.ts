import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CliServer, overHttp, startCli } from "../../security/cli-process.js";
import { testBackend } from "../../storage/postgres/test-store.js";
import { registerAgent } from "../../testing/index.js";
import { readFrames } from "./event-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "fluxra-events-cli-"));
const servers: CliServer[] = [];
afterAll(async () => {
  for (const s of servers) if (s.child.exitCode === null) await s.kill();
  rmSync(dir, { recursive: true, force: true });
});

// The real CLI's SIGTERM path; SQLite only (the process, not the backend, is under test).
describe.skipIf(testBackend === "postgres")("SIGTERM with held event requests", () => {
  it("answers held long-polls at once, ends streams cleanly and exits 0", async () => {
    const server = await startCli(join(dir, "events.db"), { FLUXRA_RATE_LIMITS: "off" });
    servers.push(server);
    const http = overHttp(server.baseUrl);
    const a = await registerAgent(http);
    const auth = { authorization: `Bearer ${a.accessToken}` };
    const first = (await (
      await fetch(`${server.baseUrl}/api/events`, { headers: auth })
    ).json()) as {
      next_cursor: string;
    };
    const poll = fetch(
      `${server.baseUrl}/api/events?wait=60&cursor=${encodeURIComponent(first.next_cursor)}`,
      { headers: auth },
    ).then(async (r) => ({ status: r.status, body: (await r.json()) as { data: unknown[] } }));
    const stream = await fetch(`${server.baseUrl}/api/events`, {
      headers: { ...auth, accept: "text/event-stream" },
    });
    let started = false;
    const ended = readFrames(stream.body as ReadableStream<Uint8Array>, (f) => {
      if (f.retry) started = true;
      return false;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(started).toBe(true);
    const t0 = Date.now();
    const exit = server.stop();
    const answered = await poll;
    expect(answered.status).toBe(200);
    expect(answered.body.data).toEqual([]);
    expect((await ended).ended).toBe(true);
    expect(await exit).toBe(0);
    expect(Date.now() - t0).toBeLessThan(4000); // well before the CLI's 5 s forced exit
  });
});
