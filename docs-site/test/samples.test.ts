import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
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

/** POSTs JSON as an agent; returns the parsed body. */
async function postJson<T>(
  baseUrl: string,
  path: string,
  token: string,
  body: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

describe("events-bot.ts", () => {
  it("answers each message addressed to it once, across a restart", async () => {
    const [bot, alice] = await Promise.all([
      createAgent(server.baseUrl),
      createAgent(server.baseUrl),
    ]);
    const dir = mkdtempSync(join(tmpdir(), "fluxra-bot-"));
    const botEnv = {
      ...env,
      FLUXRA_API_KEY: bot.apiKey,
      FLUXRA_CURSOR_FILE: join(dir, "cursor"),
    };
    const dm = await postJson<{ id: string }>(
      server.baseUrl,
      "/api/conversations",
      alice.accessToken,
      {
        type: "direct",
        agent_id: bot.id,
      },
    );
    const say = (content: string) =>
      postJson<{ id: string }>(
        server.baseUrl,
        `/api/conversations/${dm.id}/messages`,
        alice.accessToken,
        { content },
      );
    const answers = async () => {
      const page = await getJson<Page<{ author_id: string; reply_to_id: string | null }>>(
        server.baseUrl,
        `/api/conversations/${dm.id}/messages?limit=100`,
        alice.accessToken,
      );
      return page.body.data.filter((m) => m.author_id === bot.id).map((m) => m.reply_to_id);
    };
    try {
      // First run: the feed starts at "now", so ping until the bot is listening and answers.
      const first = runSample("events-bot.ts", botEnv);
      const pings: string[] = [];
      while ((await answers()).length === 0) {
        pings.push((await say(`ping ${pings.length}`)).id);
        await new Promise((r) => setTimeout(r, 300));
      }
      const stop1 = await say("/stop");
      const run1 = await first;
      // While the bot is down, two more messages; then a restart from the saved cursor.
      const two = await say("two");
      const three = await say("three");
      const stop2 = await say("/stop");
      const run2 = await runSample("events-bot.ts", botEnv);
      expect(run2.stdout.trim().split("\n")).toEqual([
        `answered ${two.id}`,
        `answered ${three.id}`,
        `answered ${stop2.id}`,
      ]);
      expect(run1.stdout).toContain(`answered ${stop1.id}`);
      const replies = await answers();
      expect(new Set(replies).size).toBe(replies.length); // nothing answered twice
      expect(replies).toEqual(expect.arrayContaining([stop1.id, two.id, three.id, stop2.id]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
