import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driveInterleaved } from "./load.js";

/** Three stub servers; every request they answer is logged with the server's name, in order. */
const log: string[] = [];
const servers: Server[] = [];
const urls: string[] = [];

beforeAll(async () => {
  for (const name of ["A", "B", "C"]) {
    const server = createServer((_req, res) => {
      log.push(name);
      res.end("{}");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    servers.push(server);
    urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe("driveInterleaved", () => {
  it("runs the contenders in A B C, C B A rounds and sums each one's rounds", async () => {
    const results = await driveInterleaved(
      { method: "GET", path: "/" },
      urls.map((url) => ({ url, pid: undefined, uniqueKeys: false })),
      { connections: 1, durationSeconds: 2, warmupSeconds: 0, rounds: 2 },
    );
    // Consecutive requests of one server form a run: C's two rounds touch, so they form one.
    const runs = log.filter((name, i) => name !== log[i - 1]);
    expect(runs).toEqual(["A", "B", "C", "B", "A"]);
    for (const [i, name] of ["A", "B", "C"].entries()) {
      const r = results[i];
      // Every answered request, less the one per round autocannon still had in flight at its end.
      const answered = log.filter((n) => n === name).length;
      expect(r?.requests).toBeGreaterThanOrEqual(answered - 2);
      expect(r?.requests).toBeLessThanOrEqual(answered);
      expect(r?.failures).toBe(0);
      // Two 1 s rounds: the rate is the requests over about 2 s, not over one round.
      expect(r?.rps).toBeGreaterThan((r?.requests ?? 0) / 2.6);
      expect(r?.rps).toBeLessThan((r?.requests ?? 0) / 1.6);
    }
  });
});
