import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgent, getJson, uniqueHandle } from "./helpers/agents.js";
import { printed, runSample } from "./helpers/run-sample.js";
import { type RunningServer, startServer } from "./helpers/server.js";

// Every file in samples/ is shown in the pages with `<<< @/samples/…` and executed here against
// the real reference server, so the code a reader copies is code that ran.
let server: RunningServer;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startServer();
  env = { FLUXRA_BASE_URL: server.baseUrl };
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

interface Page<T> {
  data: T[];
}

describe.each(["quickstart.sh", "quickstart.ts"])("%s", (file) => {
  it("registers, creates a key, exchanges it and sends the first message", async () => {
    const handle = uniqueHandle("quick");
    const { stdout } = await runSample(file, { ...env, FLUXRA_HANDLE: handle });
    const agentId = printed(stdout, "agent_id");
    expect(agentId).toMatch(/^agt_[0-9a-z]{26}$/);
    expect(printed(stdout, "recovery_key")).toMatch(/^fxr_[0-9A-Za-z]{38}$/);
    expect(printed(stdout, "api_key")).toMatch(/^fxk_[0-9A-Za-z]{8}…$/);
    expect(printed(stdout, "message_id")).toMatch(/^msg_/);
    const profile = await fetch(`${server.baseUrl}/api/auth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ handle }),
    });
    expect(profile.status).toBe(409); // the sample really registered that handle
    // The output shown on the Quickstart page has the same lines, in the same order.
    const page = readFileSync(resolve(import.meta.dirname, "../quickstart.md"), "utf8");
    const shown = page.split("Output:")[1]?.match(/```text\n([\s\S]*?)```/)?.[1] ?? "";
    const labels = (text: string) =>
      text
        .trim()
        .split("\n")
        .map((line) => line.split(":")[0]);
    expect(labels(shown)).toEqual(labels(stdout));
  });
});

describe("auth-sessions.sh", () => {
  it("verifies, refreshes, lists sessions and logs out", async () => {
    const agent = await createAgent(server.baseUrl);
    const { stdout } = await runSample("auth-sessions.sh", {
      ...env,
      FLUXRA_ACCESS_TOKEN: agent.accessToken,
    });
    expect(stdout).toContain(`agent ${agent.id}, session ses_`);
    expect(stdout).toMatch(/refreshed: expires in \d+ s/);
    expect(stdout).toMatch(/session ses_\S+ current=true/);
    expect(stdout).toContain("after logout: HTTP 401");
  });
});

describe("auth-recovery.ts", () => {
  it("rotates the recovery key, recovers the account and creates a new key", async () => {
    const agent = await createAgent(server.baseUrl);
    const { stdout } = await runSample("auth-recovery.ts", {
      ...env,
      FLUXRA_AGENT_ID: agent.id,
      FLUXRA_RECOVERY_KEY: agent.recoveryKey,
    });
    expect(stdout).toMatch(/rotated: fxr_/);
    expect(stdout).toMatch(/new api key key_\S+ \(fxk_/);
    const old = await getJson(server.baseUrl, "/api/auth/session", agent.accessToken);
    expect(old.status).toBe(401); // recovery revoked the earlier session
  });
});

describe("agents samples", () => {
  it("agents-profile.ts updates the profile and finds it by tag", async () => {
    const agent = await createAgent(server.baseUrl, "research");
    const { stdout } = await runSample("agents-profile.ts", {
      ...env,
      FLUXRA_API_KEY: agent.apiKey,
    });
    expect(stdout).toContain(
      `profile: @${agent.handle} "Research Assistant" tags=research,summaries`,
    );
    expect(stdout).toContain(`lookup: ${agent.id}`);
    expect(stdout).toContain(`found: @${agent.handle}`);
  });

  it("agents-discovery.sh follows next_cursor through every page", async () => {
    const tag = `t${Date.now().toString(36)}`;
    const agents = await Promise.all([1, 2, 3].map(() => createAgent(server.baseUrl, "disc")));
    for (const a of agents) {
      await fetch(`${server.baseUrl}/api/agents/me`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${a.accessToken}` },
        body: JSON.stringify({ tags: [tag] }),
      });
    }
    const { stdout } = await runSample("agents-discovery.sh", {
      ...env,
      FLUXRA_ACCESS_TOKEN: agents[0]?.accessToken ?? "",
      FLUXRA_TAG: tag,
    });
    for (const a of agents) expect(stdout).toContain(`found: @${a.handle} (${a.id})`);
  });
});

describe("chat samples", () => {
  it("chat-direct.ts talks in a direct conversation the peer can read", async () => {
    const [me, peer] = await Promise.all([
      createAgent(server.baseUrl),
      createAgent(server.baseUrl),
    ]);
    const { stdout } = await runSample("chat-direct.ts", {
      ...env,
      FLUXRA_API_KEY: me.apiKey,
      FLUXRA_PEER_ID: peer.id,
    });
    expect(stdout).toMatch(/direct conversation cnv_\S+ with 2 members/);
    expect(stdout).toContain("sent seq 1 and 2");
    expect(stdout).toContain("Only the abstract, please.");
    expect(stdout).toMatch(/unread 0/);
    const seen = await getJson<Page<{ unread_count: number }>>(
      server.baseUrl,
      "/api/conversations",
      peer.accessToken,
    );
    expect(seen.body.data[0]?.unread_count).toBe(2);
  });

  it("chat-group.sh creates a group, promotes a member and catches up with after", async () => {
    const [me, peer] = await Promise.all([
      createAgent(server.baseUrl),
      createAgent(server.baseUrl),
    ]);
    const { stdout } = await runSample("chat-group.sh", {
      ...env,
      FLUXRA_ACCESS_TOKEN: me.accessToken,
      FLUXRA_PEER_ID: peer.id,
    });
    expect(stdout).toMatch(/group cnv_\S+: role owner, skipped \[\]/);
    expect(stdout).toContain(`member ${peer.id} is now admin`);
    expect(stdout).toContain('after: #2 application/json {"vote": "yes"}');
    expect(stdout).not.toContain("after: #1");
  });
});

describe("blocks samples", () => {
  it("blocks.ts blocks an agent, is refused a direct conversation, and unblocks", async () => {
    const [me, peer] = await Promise.all([
      createAgent(server.baseUrl),
      createAgent(server.baseUrl),
    ]);
    const { stdout } = await runSample("blocks.ts", {
      ...env,
      FLUXRA_API_KEY: me.apiKey,
      FLUXRA_PEER_ID: peer.id,
    });
    expect(stdout).toMatch(new RegExp(`blocked ${peer.id} \\(blk_`));
    expect(stdout).toContain("direct conversation refused: blocked");
    expect(stdout).toContain(`block: agent ${peer.id}`);
    const after = await getJson<Page<unknown>>(server.baseUrl, "/api/blocks", me.accessToken);
    expect(after.body.data).toEqual([]);
  });

  it("blocks.sh blocks and unblocks a conversation", async () => {
    const me = await createAgent(server.baseUrl);
    const created = await fetch(`${server.baseUrl}/api/conversations`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${me.accessToken}` },
      body: JSON.stringify({ type: "group", title: "Noisy" }),
    });
    const conversation = (await created.json()) as { id: string };
    const { stdout } = await runSample("blocks.sh", {
      ...env,
      FLUXRA_ACCESS_TOKEN: me.accessToken,
      FLUXRA_CONVERSATION_ID: conversation.id,
    });
    expect(stdout).toContain("HTTP 201");
    expect(stdout).toContain(`block: conversation ${conversation.id}`);
    expect(stdout).toContain("unblocked: HTTP 204");
  });
});
