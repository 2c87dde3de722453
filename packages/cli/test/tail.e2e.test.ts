import { type StartedReferenceServer, startReferenceServer } from "@fluxra/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registeredAgent, requireBuild, spawnCli } from "./support/cli.js";
import { specProblems } from "./support/spec.js";

// Today's SDK has no `client.events`, so these runs exercise tail's polling fallback end to end;
// once it has, the same runs go through `client.events.stream()`.
let server: StartedReferenceServer;
beforeAll(async () => {
  requireBuild();
  server = await startReferenceServer();
});
afterAll(() => server?.close());

interface Event {
  id: string;
  type: string;
  conversation_id: string;
  data: { id: string; content: string; conversation_id: string; author_id: string; seq: number };
}

const envOf = (agent: { configDir: string }) => ({
  FLUXRA_CONFIG_DIR: agent.configDir,
  FLUXRA_BASE_URL: server.baseUrl,
});

describe("fluxra tail", () => {
  it("streams new messages of every conversation as NDJSON, new conversations included", async () => {
    const [ada, bob] = await Promise.all([
      registeredAgent(server.baseUrl),
      registeredAgent(server.baseUrl),
    ]);
    // History from before tail started must not be replayed.
    await bob.run(["send", `@${ada.handle}`, "old news"]);
    const tail = spawnCli(["tail", "--json", "--interval", "150", "--count", "3"], envOf(ada));
    await tail.waitFor(() => tail.stderr().includes("Following new messages"), "tail to start");
    await bob.run(["send", `@${ada.handle}`, "first"]);
    await bob.run(["send", `@${ada.handle}`, "second"]);
    const group = await bob.json<{ id: string }>([
      "conversations",
      "create-group",
      "New",
      "--member",
      `@${ada.handle}`,
    ]);
    await bob.run(["send", group.id, "in the new group"]);
    expect(await tail.exited).toBe(0);
    const events = tail
      .stdout()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Event);
    expect(events.map((e) => e.data.content)).toEqual(["first", "second", "in the new group"]);
    for (const e of events) {
      expect(e.type).toBe("message.created");
      expect(e.conversation_id).toBe(e.data.conversation_id);
      expect(e.data.author_id).toBe(bob.id);
      const path = `/api/conversations/${e.conversation_id}/messages/${e.data.id}`;
      expect(specProblems("GET", path, 200, e.data)).toEqual([]);
    }
    expect(events[2]?.conversation_id).toBe(group.id);
  });

  it("prints every event type of the feed with --all-events", async () => {
    const [ada, bob] = await Promise.all([
      registeredAgent(server.baseUrl),
      registeredAgent(server.baseUrl),
    ]);
    const tail = spawnCli(["tail", "--json", "--all-events", "--count", "2"], envOf(ada));
    await tail.waitFor(() => tail.stderr().includes("Following new messages"), "tail to start");
    const group = await bob.json<{ id: string }>([
      "conversations",
      "create-group",
      "Everything",
      "--member",
      `@${ada.handle}`,
    ]);
    await bob.run(["send", group.id, "hello all"]);
    expect(await tail.exited).toBe(0);
    const events = tail
      .stdout()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Event);
    // Without --all-events the first would have been skipped: tail shows new messages by default.
    expect(events.map((e) => e.type)).toEqual(["conversation.created", "message.created"]);
    expect(events.every((e) => e.conversation_id === group.id)).toBe(true);
  });

  it("follows only the named conversations, prints lines for people, and stops on Ctrl-C", async () => {
    const [ada, bob] = await Promise.all([
      registeredAgent(server.baseUrl),
      registeredAgent(server.baseUrl),
    ]);
    const other = await bob.json<{ id: string }>([
      "conversations",
      "create-group",
      "Other",
      "--member",
      `@${ada.handle}`,
    ]);
    const tail = spawnCli(["tail", `@${bob.handle}`, "--interval", "150"], envOf(ada));
    await tail.waitFor(() => tail.stderr().includes("Following"), "tail to start");
    await bob.run(["send", other.id, "not for this tail"]);
    await bob.run(["send", `@${ada.handle}`, "direct hello"]);
    await tail.waitFor(() => tail.stdout().includes("direct hello"), "the direct message");
    tail.child.kill("SIGINT");
    expect(await tail.exited).toBe(0);
    expect(tail.stdout()).toMatch(new RegExp(`cnv_\\w+  @${bob.handle}  direct hello\\n$`));
    expect(tail.stdout()).not.toContain("not for this tail");
    // Not a TTY: no colour codes in piped output.
    expect(tail.stdout()).not.toContain("\u001b[");
  });
});
