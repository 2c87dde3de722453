import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureServerBuilt } from "./build.js";
import { type ClientPair, clientPairs, measureClientCold } from "./client-overhead.js";
import type { SeededAgent } from "./seed.js";
import { seedAgent, seedConversation, sendMessages } from "./seed.js";
import { type RunningServer, startFluxra } from "./server-process.js";

/**
 * The SDK-over-fetch comparison is only the SDK's own work if both sides make the server do the
 * same thing: the raw side must send the bytes the SDK sends. A TCP proxy in front of the real
 * CLI records each request as it goes on the wire.
 */
let dir: string;
let fluxra: RunningServer;
let proxy: net.Server;
let wire = "";
let pairs: ClientPair[];
let alice: SeededAgent;
let conversation: string;

beforeAll(async () => {
  ensureServerBuilt();
  dir = mkdtempSync(join(os.tmpdir(), "fluxra-client-wire-"));
  fluxra = await startFluxra(join(dir, "bench.db"));
  const target = new URL(fluxra.url);
  proxy = net.createServer((client) => {
    const server = net.connect(Number(target.port), target.hostname);
    client.on("data", (chunk) => {
      wire += chunk.toString("latin1");
      server.write(chunk);
    });
    server.on("data", (chunk) => client.write(chunk));
    client.on("close", () => server.destroy());
    server.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as net.AddressInfo;
  alice = await seedAgent(fluxra.url, "wire_alice");
  const bob = await seedAgent(fluxra.url, "wire_bob");
  conversation = await seedConversation(fluxra.url, alice, "measured", [bob.id]);
  await sendMessages(fluxra.url, bob, conversation, 3);
  pairs = await clientPairs(`http://127.0.0.1:${port}`, alice, conversation);
});

afterAll(async () => {
  proxy?.close();
  await fluxra?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The bytes one call puts on the wire, with its `Idempotency-Key` value blanked. */
async function sent(call: () => Promise<unknown>): Promise<string> {
  wire = "";
  await call();
  return wire.replace(/^(idempotency-key: )[0-9a-f-]{36}\r$/im, "$1<uuid>\r");
}

describe("raw fetch vs SDK: the requests on the wire", () => {
  it("are the same bytes for every call (token, headers and their order, body)", async () => {
    for (const pair of pairs) {
      const raw = await sent(pair.fetch);
      const sdk = await sent(pair.sdk);
      expect(raw, pair.name).toMatch(/^(GET|POST) \/api\//);
      expect(sdk, pair.name).toBe(raw);
      if (raw.startsWith("POST")) expect(raw).toContain("idempotency-key: <uuid>");
    }
  });
});

describe("the cold row", () => {
  it("measures every call's first calls in fresh processes, each side in its own", async () => {
    const cold = await measureClientCold(fluxra.url, alice, conversation, 3, 2);
    expect(cold.rows.map((r) => r.call)).toEqual(pairs.map((p) => p.name));
    for (const row of cold.rows) {
      for (const side of [row.fetch, row.sdk]) {
        expect(side.p50Ms).toBeGreaterThan(0);
        expect(side.cpuUs).toBeGreaterThan(0);
      }
    }
  }, 60_000);
});
