import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliServer, overHttp, startCli } from "../../security/cli-process.js";
import { testBackend } from "../../storage/postgres/test-store.js";
import { registerAgent, type TestAgent } from "../../testing/index.js";
import { readFrames } from "./event-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "fluxra-events-processes-"));
const servers: CliServer[] = [];
let writer: CliServer;
let reader: CliServer;
let alice: TestAgent;
let bob: TestAgent;
let conversation: string;

// Two real CLI processes on one SQLite file: the one holding the request did not write the event,
// so only a check of the file (not the writer's in-process wake-up) can answer it.
describe.skipIf(testBackend === "postgres")("two server processes on one SQLite file", () => {
  beforeAll(async () => {
    const db = join(dir, "shared.db");
    writer = await startCli(db, { FLUXRA_RATE_LIMITS: "off" });
    servers.push(writer);
    reader = await startCli(db, { FLUXRA_RATE_LIMITS: "off" });
    servers.push(reader);
    const w = overHttp(writer.baseUrl);
    alice = await registerAgent(w);
    bob = await registerAgent(w);
    const created = await w.request("/api/conversations", {
      method: "POST",
      token: alice.accessToken,
      json: { type: "group", title: "shared file", member_ids: [bob.id] },
    });
    expect(created.status).toBe(201);
    conversation = created.body.id;
  });
  afterAll(async () => {
    for (const s of servers) if (s.child.exitCode === null) await s.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (content: string) =>
    overHttp(writer.baseUrl).request(`/api/conversations/${conversation}/messages`, {
      method: "POST",
      token: alice.accessToken,
      json: { content },
    });

  it("a long-poll held by the other process answers with the event well before its wait", async () => {
    const r = overHttp(reader.baseUrl);
    const start = await r.request("/api/events", { token: bob.accessToken });
    const cursor = encodeURIComponent(start.body.next_cursor);
    const held = r.request(`/api/events?wait=20&cursor=${cursor}`, { token: bob.accessToken });
    await new Promise((res) => setTimeout(res, 300)); // held by the reader process by now
    const t0 = Date.now();
    expect((await send("written by the other process")).status).toBe(201);
    const answer = await held;
    const elapsed = Date.now() - t0;
    expect(answer.status).toBe(200);
    expect(answer.body.data.map((e: { type: string }) => e.type)).toEqual(["message.created"]);
    expect(answer.body.data[0].data.content).toBe("written by the other process");
    expect(elapsed).toBeLessThan(2000); // not the 20 s wait: the reader noticed the commit
  });

  it("an SSE stream held by the other process receives the event", async () => {
    const stream = await fetch(`${reader.baseUrl}/api/events`, {
      headers: { authorization: `Bearer ${bob.accessToken}`, accept: "text/event-stream" },
    });
    const contents: string[] = [];
    let started: () => void = () => {};
    const ready = new Promise<void>((r) => {
      started = r;
    });
    const read = readFrames(stream.body as ReadableStream<Uint8Array>, (f) => {
      if (f.retry) started();
      if (f.event === "message.created") contents.push(JSON.parse(f.data as string).data.content);
      return contents.length === 2;
    });
    await ready;
    const t0 = Date.now();
    expect((await send("first across processes")).status).toBe(201);
    expect((await send("second across processes")).status).toBe(201);
    const outcome = await Promise.race([
      read,
      new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 5000)),
    ]);
    expect(outcome).not.toBe("timeout");
    expect(contents).toEqual(["first across processes", "second across processes"]);
    expect(Date.now() - t0).toBeLessThan(2000);
    if (outcome !== "timeout") await outcome.reader.cancel();
  });

  it("a long-poll of an agent with nothing new still waits out its wait (no spurious answer)", async () => {
    const r = overHttp(reader.baseUrl);
    const start = await r.request("/api/events", { token: alice.accessToken });
    const cursor = encodeURIComponent(start.body.next_cursor);
    // Writes by the other process that concern nobody's feed (a profile change) move the file.
    const t0 = Date.now();
    const held = r.request(`/api/events?wait=1&cursor=${cursor}`, { token: alice.accessToken });
    await new Promise((res) => setTimeout(res, 200));
    const other = await registerAgent(overHttp(writer.baseUrl));
    expect(other.id).toBeTruthy();
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });
});
