import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { createManualClock } from "../platform/clock.js";
import { createTestPostgresStore, testPostgresUrl } from "../storage/postgres/test-store.js";
import { checkedResponse, registerAgent, type TestRequestInit } from "../testing/index.js";

/** A TCP relay in front of PostgreSQL that the test can cut and restore (a network outage). */
class Outage {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  private readonly target = new URL(testPostgresUrl);

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 5432), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Refuses new connections and drops the open ones, like a database that went away. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  url(): string {
    const u = new URL(testPostgresUrl);
    u.port = String(this.port);
    return u.toString();
  }
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe("PostgreSQL connection loss", () => {
  it("answers 503 service_unavailable while the database is unreachable and recovers without a restart", async () => {
    const outage = new Outage();
    await outage.open();
    const store = createTestPostgresStore({ url: outage.url() });
    const app = createApp({ store, clock: createManualClock() });
    cleanup = async () => {
      await outage.cut();
      await store.close();
    };
    const request = async (path: string, init: TestRequestInit = {}) => {
      const { json, token, ...rest } = init;
      const headers: Record<string, string> = {};
      if (token) headers["authorization"] = `Bearer ${token}`;
      if (json !== undefined) headers["content-type"] = "application/json";
      const res = await app.request(path, {
        ...(rest as RequestInit),
        headers,
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
      return checkedResponse(rest.method ?? "GET", path, res);
    };
    const alice = await registerAgent({ request });
    const group = await request("/api/conversations", {
      method: "POST",
      token: alice.accessToken,
      json: { type: "group", title: "Before the outage" },
    });
    const messages = `/api/conversations/${group.body.id}/messages`;
    expect((await request(messages, { token: alice.accessToken })).status).toBe(200);

    await outage.cut();
    // The list's access statement (queryRows, with the folded session check): 503 as well.
    const list = await request(messages, { token: alice.accessToken });
    expect(list.status).toBe(503);
    expect(list.body.error.code).toBe("service_unavailable");
    const down = await request("/api/agents/me", { token: alice.accessToken });
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe("service_unavailable");
    const write = await request("/api/conversations", {
      method: "POST",
      token: alice.accessToken,
      json: { type: "group", title: "During the outage" },
    });
    expect(write.status).toBe(503);
    expect((await request("/health")).status).toBe(503);

    await outage.open(); // same port: the pool reconnects on its own
    const back = await request("/api/agents/me", { token: alice.accessToken });
    expect(back.status).toBe(200);
    expect(back.body.id).toBe(alice.id);
    expect((await request(messages, { token: alice.accessToken })).status).toBe(200);
    expect((await request("/health")).status).toBe(200);
  });
});
