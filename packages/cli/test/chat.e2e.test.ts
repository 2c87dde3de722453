import { type StartedReferenceServer, startReferenceServer } from "@fluxra/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registeredAgent, requireBuild } from "./support/cli.js";
import { specProblems, specProblemsForAll } from "./support/spec.js";

let server: StartedReferenceServer;
let ada: Awaited<ReturnType<typeof registeredAgent>>;
let bob: Awaited<ReturnType<typeof registeredAgent>>;

beforeAll(async () => {
  requireBuild();
  server = await startReferenceServer();
  const tag = `t${Math.random().toString(36).slice(2, 8)}`;
  [ada, bob] = await Promise.all([
    registeredAgent(server.baseUrl, [tag]),
    registeredAgent(server.baseUrl, [tag, "helper"]),
  ]);
});
afterAll(() => server?.close());

type Page<T> = { data: T[]; has_more: boolean; next_cursor: string | null };
interface Msg {
  id: string;
  seq: number;
  content: string | null;
  conversation_id: string;
}

describe("agents and profile", () => {
  it("searches by query and tag, shows by @handle, updates the profile", async () => {
    const found = await ada.json<Page<{ handle: string }>>([
      "agents",
      "search",
      bob.handle,
      "--tag",
      "helper",
    ]);
    expect(specProblems("GET", "/api/agents", 200, found)).toEqual([]);
    expect(found.data.map((a) => a.handle)).toEqual([bob.handle]);
    const table = await ada.run(["agents", "search", bob.handle]);
    expect(table.stdout).toMatch(
      new RegExp(`^HANDLE\\s+NAME\\s+TAGS\\s+ID\\n@${bob.handle}\\s`, "m"),
    );
    const none = await ada.run(["agents", "search", "zz-no-such-agent"]);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain("No agents found.");

    const shown = await ada.json(["agents", "show", `@${bob.handle}`]);
    expect(specProblems("GET", `/api/agents/${bob.id}`, 200, shown)).toEqual([]);
    expect(shown["id"]).toBe(bob.id);
    const missing = await ada.run(["agents", "show", "@zz-nobody-here"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("code: not_found");

    const updated = await ada.json(["profile", "set", "--display-name", "Ada L.", "--tag", "math"]);
    expect(specProblems("PATCH", "/api/agents/me", 200, updated)).toEqual([]);
    expect(updated).toMatchObject({ display_name: "Ada L.", tags: ["math"] });
    expect((await ada.run(["profile", "set"])).code).toBe(2);
    const bad = await ada.run(["profile", "set", "--avatar-url", "http://insecure.example/a.png"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("code: validation_failed");
  });
});

describe("conversations, members, messages", () => {
  it("opens a direct conversation by @handle and sends from an argument and stdin", async () => {
    const opened = await ada.json(["conversations", "open", `@${bob.handle}`]);
    expect(specProblems("POST", "/api/conversations", 201, opened)).toEqual([]);
    const again = await ada.json(["conversations", "open", bob.id]);
    expect(again["id"]).toBe(opened["id"]);

    const first = await ada.json<Msg>(["send", `@${bob.handle}`, "hello bob"]);
    expect(
      specProblems("POST", `/api/conversations/${first.conversation_id}/messages`, 201, first),
    ).toEqual([]);
    expect(first.conversation_id).toBe(opened["id"]);
    const piped = await bob.run(["send", `@${ada.handle}`, "-"], { input: "multi\nline reply\n" });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/^Sent #2 to cnv_/);

    const page = await ada.json<Page<Msg>>(["messages", first.conversation_id]);
    expect(
      specProblems("GET", `/api/conversations/${first.conversation_id}/messages`, 200, page),
    ).toEqual([]);
    expect(page.data.map((m) => m.content)).toEqual(["multi\nline reply", "hello bob"]);
    // Humans read oldest first, with handles.
    const table = await ada.run(["messages", `@${bob.handle}`]);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^SEQ\s+SENT\s+FROM\s+MESSAGE$/);
    expect(lines[1]).toMatch(new RegExp(`^#1 .*@${ada.handle}\\s+hello bob$`));
    expect(lines[2]).toMatch(new RegExp(`^#2 .*@${bob.handle}\\s+multi line reply$`));

    const list = await bob.json<Page<{ id: string; unread_count: number }>>([
      "conversations",
      "list",
    ]);
    expect(specProblems("GET", "/api/conversations", 200, list)).toEqual([]);
    expect(list.data.find((c) => c.id === first.conversation_id)?.unread_count).toBe(1);
    const marker = await bob.json(["read", first.conversation_id]);
    expect(
      specProblems("POST", `/api/conversations/${first.conversation_id}/read`, 200, marker),
    ).toEqual([]);
    expect(marker).toMatchObject({ unread_count: 0 });

    const empty = await ada.run(["send", `@${bob.handle}`, "-"], { input: "" });
    expect(empty.code).toBe(2);
  });

  it("pages with --limit/--after and walks everything with --all after a bulk send", async () => {
    const group = await ada.json<{ id: string }>([
      "conversations",
      "create-group",
      "Bulk",
      "--member",
      `@${bob.handle}`,
    ]);
    expect(specProblems("POST", "/api/conversations", 201, group)).toEqual([]);
    const lines = Array.from({ length: 130 }, (_, i) => `line ${i + 1}`).join("\n");
    const bulk = await ada.json<Page<Msg>>(["send", group.id, "-", "--each-line"], {
      input: lines,
    });
    expect(specProblemsForAll(`/api/conversations/${group.id}/messages`, bulk)).toEqual([]);
    expect(bulk.data.map((m) => m.seq)).toEqual(Array.from({ length: 130 }, (_, i) => i + 1));

    const latest = await bob.json<Page<Msg>>(["messages", group.id, "--limit", "5"]);
    expect(latest.data.map((m) => m.content)).toEqual([
      "line 130",
      "line 129",
      "line 128",
      "line 127",
      "line 126",
    ]);
    expect(latest.has_more).toBe(true);
    const after = await bob.json<Page<Msg>>([
      "messages",
      group.id,
      "--after",
      bulk.data[124]?.id ?? "",
      "--limit",
      "3",
    ]);
    expect(after.data.map((m) => m.seq)).toEqual([126, 127, 128]);
    const all = await bob.json<Page<Msg>>(["messages", group.id, "--all"]);
    expect(all.data).toHaveLength(130);
    expect(all).toMatchObject({ has_more: false, next_cursor: null });
    expect(specProblemsForAll(`/api/conversations/${group.id}/messages`, all)).toEqual([]);
    const hint = await bob.run(["messages", group.id, "--limit", "2"]);
    expect(hint.stderr).toContain(`fluxra messages ${group.id} --before ${latest.data[1]?.id}`);
  });

  it("manages members and roles, with the API's codes on refusal", async () => {
    const carol = await registeredAgent(server.baseUrl);
    const group = await ada.json<{ id: string }>([
      "conversations",
      "create-group",
      "Team",
      "--description",
      "d",
    ]);
    const added = await ada.json(["members", "add", group.id, `@${bob.handle}`]);
    expect(specProblems("POST", `/api/conversations/${group.id}/members`, 201, added)).toEqual([]);
    const twice = await ada.run(["members", "add", group.id, bob.id]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("code: already_member");
    const promoted = await ada.json(["members", "role", group.id, `@${bob.handle}`, "admin"]);
    expect(
      specProblems("PATCH", `/api/conversations/${group.id}/members/${bob.id}`, 200, promoted),
    ).toEqual([]);
    expect(promoted["role"]).toBe("admin");
    expect((await ada.run(["members", "role", group.id, bob.id, "king"])).code).toBe(2);
    expect((await bob.run(["members", "add", group.id, `@${carol.handle}`])).code).toBe(0);
    const members = await carol.json<Page<{ agent_id: string; role: string }>>([
      "members",
      "list",
      group.id,
    ]);
    expect(specProblems("GET", `/api/conversations/${group.id}/members`, 200, members)).toEqual([]);
    expect(members.data.map((m) => m.role).sort()).toEqual(["admin", "member", "owner"]);
    const refused = await carol.run(["members", "remove", group.id, `@${bob.handle}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("code: forbidden");
    expect((await ada.run(["members", "remove", group.id, `@${carol.handle}`])).code).toBe(0);
    const gone = await carol.run(["messages", group.id]);
    expect(gone.stderr).toContain("code: not_found");
  });

  it("blocks and unblocks: sends are refused with `blocked` while blocked", async () => {
    const block = await bob.json(["block", `@${ada.handle}`]);
    expect(specProblems("PUT", `/api/blocks/agents/${ada.id}`, 201, block)).toEqual([]);
    const blocks = await bob.json<Page<{ target_id: string }>>(["blocks"]);
    expect(specProblems("GET", "/api/blocks", 200, blocks)).toEqual([]);
    expect(blocks.data.map((b) => b.target_id)).toContain(ada.id);
    const refused = await ada.run(["send", `@${bob.handle}`, "are you there?"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/code: blocked, status 403/);
    expect((await bob.run(["unblock", `@${ada.handle}`])).code).toBe(0);
    expect((await ada.run(["send", `@${bob.handle}`, "back again"])).code).toBe(0);
  });
});
