import { mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createGroup, send } from "../domains/chat/chat-fixtures.js";
import { testBackend } from "../storage/postgres/test-store.js";
import { createTestApp, registerAgent, type TestApp } from "../testing/index.js";
import { fastLaneServer } from "./fast-lane.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `t` served over HTTP with the fast lane; its port. */
async function listen(t: TestApp): Promise<number> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve(
      { fetch: t.app.fetch, port: 0, hostname: "127.0.0.1", createServer: fastLaneServer(t.app) },
      () => resolve(s),
    );
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A keep-alive connection that sends raw GETs and answers each with its status. */
async function connection(port: number) {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.on("error", reject);
  });
  let received = Buffer.alloc(0);
  let waiting: ((status: number) => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    const headEnd = received.indexOf("\r\n\r\n");
    if (headEnd === -1) return;
    const head = received.subarray(0, headEnd).toString();
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
    if (received.length < headEnd + 4 + length) return;
    received = received.subarray(headEnd + 4 + length);
    waiting?.(Number(head.slice(9, 12)));
  });
  cleanups.push(() => void socket.destroy());
  return {
    /** Writes the request now; resolves with the answer's status. */
    get(path: string, token: string): Promise<number> {
      const answered = new Promise<number>((resolve) => {
        waiting = resolve;
      });
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      );
      return answered;
    },
    /** Writes a JSON POST now; resolves with the answer's status. */
    post(path: string, token: string, body: unknown): Promise<number> {
      const answered = new Promise<number>((resolve) => {
        waiting = resolve;
      });
      const json = JSON.stringify(body);
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      );
      return answered;
    },
  };
}

/**
 * One GET on each connection, all written in the same tick: the server (in this process, its
 * connections accepted by earlier requests) receives them in one poll phase.
 */
function together(
  connections: Awaited<ReturnType<typeof connection>>[],
  path: string,
  token: string,
): Promise<number[]> {
  return Promise.all(connections.map((c) => c.get(path, token)));
}

// Message pages received in one poll phase (here: on several connections) run together in its
// check phase (fast-lane.ts), so their caches check `PRAGMA data_version` once for the batch; each still sees every commit made
// before it was received.
describe.skipIf(testBackend === "postgres")("fast lane reads", () => {
  it("serves the reads received together with one data_version read, and sees a commit made before them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fluxra-lane-reads-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dbPath = join(dir, "reads.db");
    const t = createTestApp({ dbPath });
    cleanups.push(() => t.close());
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b]);
    await send(t, a, group.id, "hello");
    const port = await listen(t);
    const path = `/api/conversations/${group.id}/messages`;
    const connections = await Promise.all([1, 2, 3].map(() => connection(port)));
    // Accepted, and the token verified once (its check then answers from memory, without a
    // turn on the threadpool).
    for (const c of connections) expect(await c.get(path, b.accessToken)).toBe(200);
    const { db } = t.store;
    let reads = 0;
    const dataVersion = db.dataVersion.bind(db);
    db.dataVersion = () => {
      reads++;
      return dataVersion();
    };

    expect(await together(connections, path, b.accessToken)).toEqual([200, 200, 200]);
    expect(reads).toBe(1);

    // Another process removes b: every read sent after its commit is refused.
    const other = new Database(dbPath);
    other.pragma("busy_timeout = 5000");
    other.prepare("DELETE FROM conversation_members WHERE agent_id = ?").run(b.id);
    other.close();
    reads = 0;
    expect(await together(connections, path, b.accessToken)).toEqual([404, 404, 404]);
    expect(reads).toBe(1);
    expect(await together(connections, path, a.accessToken)).toEqual([200, 200, 200]);
  });

  it("serves the sends received together with one data_version read before their group commit, and sees a revocation made before them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fluxra-lane-sends-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dbPath = join(dir, "sends.db");
    const t = createTestApp({ dbPath });
    cleanups.push(() => t.close());
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b]);
    const port = await listen(t);
    const path = `/api/conversations/${group.id}/messages`;
    const connections = await Promise.all([1, 2, 3].map(() => connection(port)));
    for (const c of connections)
      expect(await c.post(path, a.accessToken, { content: "x" })).toBe(201);
    const { db } = t.store;
    let reads = 0;
    const dataVersion = db.dataVersion.bind(db);
    db.dataVersion = () => {
      reads++;
      return dataVersion();
    };
    const sendAll = (token: string) =>
      Promise.all(connections.map((c) => c.post(path, token, { content: "together" })));

    // One read for the three sessions' check (shared: all three were received first), one under
    // the group commit's write lock (the send state's check, send-state.ts).
    expect(await sendAll(a.accessToken)).toEqual([201, 201, 201]);
    expect(reads).toBe(2);

    // Another process revokes a's sessions: every send received after its commit is refused.
    const other = new Database(dbPath);
    other.pragma("busy_timeout = 5000");
    other.prepare("UPDATE sessions SET revoked_at = ? WHERE agent_id = ?").run(Date.now(), a.id);
    other.close();
    expect(await sendAll(a.accessToken)).toEqual([401, 401, 401]);
    expect(await sendAll(b.accessToken)).toEqual([201, 201, 201]);
    const stored = t.store.db.stmt("SELECT count(*) FROM messages WHERE conversation_id = ?");
    expect(stored.pluck().get(group.id)).toBe(9);
  });
});
