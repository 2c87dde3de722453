import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError, PermissionDeniedError, RateLimitError } from "../../src/core/error.js";
import { fakeClock } from "../support/fake-clock.js";
import { counting, onboard } from "../support/onboard.js";
import { startServer, type TestServer } from "../support/server.js";

const TRANSPORTS = ["in-process", "HTTP"] as const;

describe.each(TRANSPORTS)("chat against the reference server (%s)", (transport) => {
  let server: TestServer;
  let base: { baseUrl: string; fetch?: (request: Request) => Promise<Response> };
  beforeAll(async () => {
    server = startServer();
    base =
      transport === "HTTP"
        ? { baseUrl: await server.listen() }
        : { baseUrl: "http://fluxra.test", fetch: server.fetch };
  });
  afterAll(() => server.close());

  it("runs the quickstart flow: register → api key → token → conversation → message", async () => {
    const alice = await onboard(base);
    const bob = await onboard(base);
    const direct = await alice.client.conversations.create({
      type: "direct",
      agent_id: bob.agent.id,
    });
    expect(direct.type).toBe("direct");
    const sent = await alice.client.messages.send(direct.id, { content: "hello bob" });
    expect(sent).toMatchObject({ conversation_id: direct.id, author_id: alice.agent.id, seq: 1 });
    const inbox = await bob.client.conversations.list().toArray();
    expect(inbox.map((c) => [c.id, c.unread_count])).toEqual([[direct.id, 1]]);
    const [received] = await bob.client.messages.list(direct.id).toArray();
    expect(received?.content).toBe("hello bob");
    const marker = await bob.client.conversations.markRead(direct.id, sent.id);
    expect(marker.unread_count).toBe(0);
  });

  it("yields every message exactly once across pages, in order", async () => {
    const { client } = await onboard(base);
    const group = await client.conversations.create({ type: "group", title: "paging" });
    for (let i = 1; i <= 23; i++) await client.messages.send(group.id, { content: `m${i}` });
    const pages: number[] = [];
    for await (const page of client.messages.list(group.id, { limit: 5 }).pages()) {
      pages.push(page.data.length);
    }
    expect(pages).toEqual([5, 5, 5, 5, 3]);
    const seqs: number[] = [];
    for await (const m of client.messages.list(group.id, { limit: 5 })) seqs.push(m.seq);
    expect(seqs).toEqual(Array.from({ length: 23 }, (_, i) => 23 - i));
    const first = await client.messages.list(group.id, { limit: 4 }).toArray({ limit: 6 });
    expect(first.map((m) => m.seq)).toEqual([23, 22, 21, 20, 19, 18]);
  });

  it("catches up oldest-first with `after`, across pages", async () => {
    const { client } = await onboard(base);
    const group = await client.conversations.create({ type: "group", title: "catch up" });
    const sent = [];
    for (let i = 1; i <= 7; i++)
      sent.push(await client.messages.send(group.id, { content: `m${i}` }));
    const after = await client.messages
      .list(group.id, { after: sent[1]?.id ?? "", limit: 2 })
      .toArray();
    expect(after.map((m) => m.seq)).toEqual([3, 4, 5, 6, 7]);
  });

  it("stores a retried send once (one Idempotency-Key across attempts)", async () => {
    const { client } = await onboard(base);
    const group = await client.conversations.create({ type: "group", title: "idem" });
    const key = crypto.randomUUID();
    const a = await client.messages.send(group.id, { content: "once" }, { idempotencyKey: key });
    const b = await client.messages.send(group.id, { content: "once" }, { idempotencyKey: key });
    expect(b.id).toBe(a.id);
    expect(await client.messages.list(group.id).toArray()).toHaveLength(1);
  });

  it("throws typed errors: NotFoundError for others' conversations, PermissionDeniedError when blocked", async () => {
    const alice = await onboard(base);
    const bob = await onboard(base);
    const group = await alice.client.conversations.create({ type: "group", title: "private" });
    await expect(bob.client.messages.list(group.id).toArray()).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await bob.client.blocks.blockAgent(alice.agent.id);
    const error = await alice.client.conversations
      .create({ type: "direct", agent_id: bob.agent.id })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as PermissionDeniedError).code).toBe("blocked");
  });
});

describe("credentials against the reference server (in-process)", () => {
  let server: TestServer;
  beforeAll(() => {
    server = startServer();
  });
  afterAll(() => server.close());

  it("exchanges exactly once for concurrent calls after the token expired", async () => {
    const clock = fakeClock();
    const counter = counting(server.fetch);
    const { client } = await onboard(
      { baseUrl: "http://fluxra.test", fetch: counter.fetch },
      { clock },
    );
    const group = await client.conversations.create({ type: "group", title: "expiry" });
    expect(counter.count("POST /api/auth/token")).toBe(1);
    clock.advance(16 * 60_000);
    server.clock.advance(16 * 60_000);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.messages.send(group.id, { content: `c${i}` })),
    );
    expect(counter.count("POST /api/auth/token")).toBe(2);
    expect(counter.count("POST /api/auth/refresh")).toBe(0);
    expect(await client.messages.list(group.id).toArray()).toHaveLength(10);
  });

  it("refreshes the same session in the early window instead of opening a new one", async () => {
    const clock = fakeClock();
    const counter = counting(server.fetch);
    const { client } = await onboard(
      { baseUrl: "http://fluxra.test", fetch: counter.fetch },
      { clock },
    );
    const before = await client.auth.getSession();
    clock.advance(14.5 * 60_000);
    server.clock.advance(14.5 * 60_000);
    const after = await client.auth.getSession();
    expect(after.session_id).toBe(before.session_id);
    expect(counter.count("POST /api/auth/refresh")).toBe(1);
    expect(counter.count("POST /api/auth/token")).toBe(1);
  });
});

describe("rate limits of the reference server", () => {
  it("waits out Retry-After, then stops at the limit with RateLimitError", async () => {
    const server = startServer({
      rateLimits: { enabled: true, rules: { read: { limit: 2, windowSeconds: 10 } } },
    });
    try {
      // The SDK's sleeps move the server's clock: Retry-After is honoured without real waiting.
      const clock = fakeClock();
      const sleep = clock.sleep;
      clock.sleep = async (ms, signal) => {
        server.clock.advance(ms);
        return sleep(ms, signal);
      };
      const { client } = await onboard(
        { baseUrl: "http://fluxra.test", fetch: server.fetch },
        { clock },
      );
      for (let i = 0; i < 5; i++) await client.agents.me();
      expect(clock.sleeps.length).toBeGreaterThan(0);
      // retry_after_ms is exact: anything up to the 10 s window, never a blind backoff of 0.
      expect(clock.sleeps.every((ms) => ms > 0 && ms <= 10_000)).toBe(true);
      const impatient = await client.agents
        .me({ maxRetryAfterMs: 0 })
        .then(() => client.agents.me({ maxRetryAfterMs: 0 }))
        .then(() => client.agents.me({ maxRetryAfterMs: 0 }))
        .catch((e: unknown) => e);
      expect(impatient).toBeInstanceOf(RateLimitError);
      expect((impatient as RateLimitError).retryAfterMs).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});

describe("group membership against the reference server (in-process)", () => {
  let server: TestServer;
  beforeAll(() => {
    server = startServer();
  });
  afterAll(() => server.close());

  it("adds a member, changes a role, lists members and leaves", async () => {
    const base = { baseUrl: "http://fluxra.test", fetch: server.fetch };
    const owner = await onboard(base);
    const member = await onboard(base);
    const group = await owner.client.conversations.create({ type: "group", title: "team" });
    await owner.client.conversations.addMember(group.id, { agent_id: member.agent.id });
    await owner.client.conversations.updateMember(group.id, member.agent.id, { role: "admin" });
    const members = await owner.client.conversations.listMembers(group.id).toArray();
    expect(members.map((m) => [m.agent_id, m.role]).sort()).toEqual(
      [
        [owner.agent.id, "owner"],
        [member.agent.id, "admin"],
      ].sort(),
    );
    await member.client.conversations.leave(group.id);
    await expect(member.client.conversations.get(group.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
