// A `globalThis.fetch` that does not route requests through the `dispatcher` it is given (another
// fetch installed over Node's, a runtime without undici's option): after the first answered
// request shows it, calls go back to signals, and a timeout still reaches the connection.
// Its own file: which path the process uses is settled once per module instance.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, expect, it } from "vitest";
import { createFluxraClient } from "../client.js";
import { dispatcherCancellation } from "./connection.js";
import { APIConnectionTimeoutError } from "./error.js";

const CID = "cnv_00000000000000000000000000";
const nodeFetch = globalThis.fetch;
const inits: (RequestInit & { dispatcher?: unknown })[] = [];
// Drops the dispatcher, as a fetch without undici's option would ignore it.
globalThis.fetch = (input, init) => {
  inits.push(init ?? {});
  const { dispatcher: _ignored, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
  return nodeFetch(input, rest);
};

let closed: (n: number) => void = () => {};
const closedOne = new Promise<number>((r) => (closed = r));
let count = 0;
const server = createServer((req, res) => {
  const n = ++count;
  res.on("close", () => {
    if (!res.writableEnded) closed(n);
  });
  req.resume();
  req.on("end", () => {
    if (n === 1) {
      res.writeHead(201, { "content-type": "application/json" });
      res.end('{"id":"msg_1"}');
    }
  });
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(() => {
  globalThis.fetch = nodeFetch;
  server.closeAllConnections();
  server.close();
});

it("goes back to signals when fetch ignores the dispatcher, and timeouts still cancel", async () => {
  const client = createFluxraClient({ baseUrl: url, accessToken: "t" });
  await client.messages.send(CID, { content: "x" });
  expect(dispatcherCancellation()).toBe(false);
  await expect(
    client.messages.send(CID, { content: "x" }, { maxRetries: 0, timeout: 150 }),
  ).rejects.toBeInstanceOf(APIConnectionTimeoutError);
  expect(inits[1]?.signal).toBeDefined();
  expect(inits[1]?.dispatcher).toBeUndefined();
  await expect(closedOne).resolves.toBe(2);
});
