/**
 * Why an idle send is slow (issue 18, branch wt/idle): rounds of "sleep GAP ms, one send, await
 * its 201" against the real CLI on SQLite, next to the machine's floor measured in the same run,
 * interleaved: a bare node:http server (a separate process) answering a POST with a 201 JSON body
 * after the same gap. Per CLI (A, and B to compare two builds), three kinds, as in the Events
 * bench (./delivery.ts): `send` (nobody listening), `poll` (a long-poll of the recipient held
 * during the gap; the sample also gives send → event parsed), `sse` (a stream held throughout).
 * Sends go through fetch (undici, as the bench); `http` kinds send through node:http's client
 * (keep-alive agent) to separate the client's share. Every round runs every kind once, the order
 * reversed every other round, so drift on the shared machine hits all kinds alike.
 *
 * `--phases=FILE` preloads FILE into every server (see ./idle-phases.cjs): each request carrying
 * `x-idle-seq` gets hrtime marks ('request' emitted, res.end() entered and returned, and the
 * `globalThis.__idleMark(name)` calls of an instrumented build), so a send is split into: client
 * → server's 'request' | server's own work | the response's write | → client has the head | body.
 * hrtime is CLOCK_MONOTONIC in both processes, so the marks compare across them.
 *
 * Usage: tsx src/events/idle-send.ts [--rounds=200] [--gap=15] [--a=BIN] [--b=BIN]
 *          [--kinds=A send,A poll,...] [--phases=FILE] [--busy]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { parseArgs } from "node:util";
import { type SeededAgent, seedAgent, seedConversation } from "../seed.js";
import { type RunningServer, serverBin, startProcess } from "../server-process.js";
import { percentiles, subscribe } from "./sse-client.js";

const { values: opt } = parseArgs({
  options: {
    rounds: { type: "string", default: "200" },
    gap: { type: "string", default: "15" },
    a: { type: "string", default: serverBin },
    b: { type: "string" },
    kinds: { type: "string" },
    phases: { type: "string" },
    busy: { type: "boolean", default: false },
    /** B's stream is open only during its own (sse) rounds; A's is held throughout, as the bench. */
    "stream-ab": { type: "boolean", default: false },
  },
});
const rounds = Number(opt.rounds);
const gapMs = Number(opt.gap);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(os.tmpdir(), "fluxra-idle-"));

/** A node:http server answering any request with a 201 JSON body once it has read the body. */
const bareSource = `
const http = require("node:http");
const body = Buffer.from(JSON.stringify({ id: "msg_01m98wafqg00hvskqr3ta44d6f", conversation_id: "cnv_01m98wafqg00hvskqr3ta44d6f", sender_id: "agt_01m98wafqg00hvskqr3ta44d6f", seq: 1, content: "idle 1", content_type: "text/plain", reply_to_id: null, metadata: null, created_at: "2026-12-07T18:00:00.000Z", edited_at: null, deleted_at: null }));
const s = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    JSON.parse(Buffer.concat(chunks).toString() || "{}");
    res.writeHead(201, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
});
s.listen(0, "127.0.0.1", () => console.log("bare listening on http://127.0.0.1:" + s.address().port));
process.on("SIGTERM", () => process.exit(0));
`;

const phaseFiles: string[] = [];
function preload(name: string): { nodeFlags: string[]; env: Record<string, string> } {
  if (!opt.phases) return { nodeFlags: [], env: {} };
  const file = join(dir, `${name}.phases`);
  phaseFiles.push(file);
  return { nodeFlags: ["--require", resolvePath(opt.phases)], env: { IDLE_PHASES: file } };
}

interface Cli {
  name: string;
  server: RunningServer;
  alice: SeededAgent;
  bob: SeededAgent;
  sendPath: string;
}
async function startCli(name: string, bin: string): Promise<Cli> {
  const p = preload(name);
  const server = await startProcess({
    args: [resolvePath(bin), "--port", "0", "--db", join(dir, `${name}.db`), "--token-ttl", "3600"],
    env: { FLUXRA_RATE_LIMITS: "off", ...p.env },
    nodeFlags: p.nodeFlags,
  });
  const alice = await seedAgent(server.url, "idle_alice");
  const bob = await seedAgent(server.url, "idle_bob");
  const conv = await seedConversation(server.url, alice, "pair", [bob.id]);
  return { name, server, alice, bob, sendPath: `/api/conversations/${conv}/messages` };
}

const clis = [await startCli("A", opt.a)];
if (opt.b) clis.push(await startCli("B", opt.b));
const bareP = preload("bare");
const bare = await startProcess({ args: [...bareP.nodeFlags, "-e", bareSource], env: bareP.env });

/** Client-side hrtimes per x-idle-seq: t0, head parsed, body parsed. */
const clientMarks = new Map<number, { kind: string; t: bigint[] }>();
let seqNo = 0;
let currentKind = "warm";
const mark = () => {
  const seq = ++seqNo;
  const marks = { kind: currentKind, t: [process.hrtime.bigint()] };
  clientMarks.set(seq, marks);
  return { seq, marks };
};

async function viaFetch(url: string, token: string, text: string) {
  const { seq, marks } = mark();
  const res = await fetch(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "x-idle-seq": String(seq),
    },
    body: JSON.stringify({ content: text }),
  });
  marks.t.push(process.hrtime.bigint());
  await res.json();
  marks.t.push(process.hrtime.bigint());
  if (res.status !== 201) throw new Error(`${url} → ${res.status}`);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function viaHttp(url: string, token: string, text: string) {
  return new Promise<void>((resolve, reject) => {
    const u = new URL(url);
    const body = JSON.stringify({ content: text });
    const { seq, marks } = mark();
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-idle-seq": String(seq),
        },
      },
      (res) => {
        marks.t.push(process.hrtime.bigint());
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          JSON.parse(Buffer.concat(chunks).toString());
          marks.t.push(process.hrtime.bigint());
          if (res.statusCode !== 201) reject(new Error(`${url} → ${res.statusCode}`));
          else resolve();
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

interface Kind {
  name: string;
  send: (text: string) => Promise<void>;
  /** Awaited before the round's gap. */
  before?: () => Promise<void>;
  /** Before the gap: holds a receiver; resolves with the time the round's event was parsed. */
  prepare?: (text: string) => Promise<number>;
}
const kinds: Kind[] = [];
const streams: { close(): void }[] = [];
for (const cli of clis) {
  const base = cli.server.url;
  const sendUrl = `${base}${cli.sendPath}`;
  const send = (text: string) => viaFetch(sendUrl, cli.alice.accessToken, text);
  const bobHeaders = { authorization: `Bearer ${cli.bob.accessToken}` };
  let expected = "";
  let arrived: ((at: number) => void) | undefined;
  const open = async () => {
    const sub = subscribe(base, cli.bob.accessToken, (data) => {
      if (expected !== "" && data.includes(expected)) arrived?.(performance.now());
    });
    await sub.ready;
    return sub;
  };
  const ownRoundsOnly = opt["stream-ab"] && cli.name === "B";
  let stream = ownRoundsOnly ? undefined : await open();
  if (stream) streams.push(stream);
  kinds.push(
    { name: `${cli.name} send`, send },
    { name: `${cli.name} http`, send: (t) => viaHttp(sendUrl, cli.alice.accessToken, t) },
    {
      name: `${cli.name} poll`,
      send,
      prepare: async (text) => {
        // A cursor at "now" (the other kinds' sends are events for bob too), then the held poll.
        const now = (await (await fetch(`${base}/api/events`, { headers: bobHeaders })).json()) as {
          next_cursor: string;
        };
        const r = await fetch(
          `${base}/api/events?wait=30&cursor=${encodeURIComponent(now.next_cursor)}`,
          { headers: bobHeaders },
        );
        const body = (await r.json()) as { data: unknown[] };
        const at = performance.now();
        if (!JSON.stringify(body.data).includes(`"${text}"`)) {
          throw new Error(`long-poll answered without its round's event: ${JSON.stringify(body)}`);
        }
        return at;
      },
    },
    {
      name: `${cli.name} sse`,
      send,
      before: async () => {
        if (ownRoundsOnly) stream = await open();
      },
      prepare: async (text) => {
        expected = `"${text}"`;
        const at = await new Promise<number>((r) => {
          arrived = r;
        });
        if (ownRoundsOnly) stream?.close();
        return at;
      },
    },
  );
}
kinds.push(
  { name: "bare send", send: (t) => viaFetch(`${bare.url}/x`, "-", t) },
  { name: "bare http", send: (t) => viaHttp(`${bare.url}/x`, "-", t) },
);
if (opt.kinds) {
  const wanted = opt.kinds.split(",");
  kinds.splice(0, kinds.length, ...kinds.filter((k) => wanted.includes(k.name)));
}

const acks = new Map<string, number[]>(kinds.map((k) => [k.name, []]));
const delivered = new Map<string, number[]>();
let serial = 0;
async function round(k: Kind, gap: number, record: boolean) {
  const text = `idle ${++serial}`;
  await k.before?.();
  const got = k.prepare?.(text);
  if (gap > 0) await sleep(gap);
  if (record) currentKind = k.name;
  const t0 = performance.now();
  await k.send(text);
  const ack = performance.now() - t0;
  const at = got ? (await got) - t0 : undefined;
  currentKind = "warm";
  if (!record) return;
  acks.get(k.name)?.push(ack);
  if (at !== undefined) delivered.set(k.name, [...(delivered.get(k.name) ?? []), at]);
}

// Warm-up: every kind back to back, then a few idle rounds.
for (let i = 0; i < 200; i++) for (const k of kinds) await round(k, 0, false);
for (let i = 0; i < 10; i++) for (const k of kinds) await round(k, gapMs, false);
const started = performance.now();
const load0 = os.loadavg()[0] as number;
for (let r = 0; r < rounds; r++) {
  for (const k of r % 2 === 0 ? kinds : [...kinds].reverse()) await round(k, gapMs, true);
  // --busy: the same kinds with no gap, recorded under "<kind> busy" (the 5th of 5 back to back).
  if (opt.busy && r % 5 === 0) {
    for (const k of kinds) {
      for (let i = 0; i < 4; i++) await round(k, 0, false);
      const name = k.name;
      const busyKind = { ...k, name: `${name} busy` };
      if (!acks.has(busyKind.name)) acks.set(busyKind.name, []);
      await round(busyKind, 0, true);
    }
  }
}
const seconds = (performance.now() - started) / 1000;
const fmt = (n: number) => n.toFixed(2);
console.log(
  `${rounds} rounds, gap ${gapMs} ms, ${fmt(seconds)} s; load ${fmt(load0)} → ${os
    .loadavg()
    .map(fmt)
    .join(" ")}`,
);
console.log("kind              ack p50 / p90 / p99 ms      delivered p50 / p99 ms");
const p90 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(0.9 * v.length)] ?? Number.NaN;
for (const [name, v] of acks) {
  if (v.length === 0) continue;
  const p = percentiles(v);
  const d = delivered.get(name);
  const dp = d ? percentiles(d) : undefined;
  console.log(
    `${name.padEnd(16)}  ${fmt(p.p50)} / ${fmt(p90(v))} / ${fmt(p.p99)}` +
      (dp ? `        ${fmt(dp.p50)} / ${fmt(dp.p99)}` : ""),
  );
}

if (opt.phases) {
  for (const cli of clis) cli.server.child.kill("SIGUSR2");
  bare.child.kill("SIGUSR2");
  await sleep(500);
  const server = new Map<number, [string, bigint][]>();
  for (const f of phaseFiles) {
    for (const line of readFileSync(f, "utf8").trim().split("\n")) {
      if (line === "") continue;
      const r = JSON.parse(line) as { seq: number; marks: [string, string][] };
      server.set(
        r.seq,
        r.marks.map(([n, t]) => [n, BigInt(t)]),
      );
    }
  }
  const byKind = new Map<string, Map<string, number[]>>();
  for (const [seq, m] of clientMarks) {
    const s = server.get(seq);
    if (!s || m.kind === "warm" || m.t.length < 3) continue;
    const [c0, cHead, cDone] = m.t as [bigint, bigint, bigint];
    const marks: [string, bigint][] = [["client", c0], ...s, ["head", cHead], ["body", cDone]];
    const cols = byKind.get(m.kind) ?? new Map<string, number[]>();
    const add = (key: string, ms: number) => cols.set(key, [...(cols.get(key) ?? []), ms]);
    for (let i = 1; i < marks.length; i++) {
      const [prev, tp] = marks[i - 1] as [string, bigint];
      const [name, t] = marks[i] as [string, bigint];
      add(`${prev}→${name}`, Number(t - tp) / 1e6);
    }
    const at = (name: string) => s.find(([n]) => n === name)?.[1];
    const req = at("request");
    const end = at("endIn");
    if (req !== undefined && end !== undefined)
      add("server: request→endIn", Number(end - req) / 1e6);
    add("total", Number(cDone - c0) / 1e6);
    byKind.set(m.kind, cols);
  }
  console.log(
    "\nphases, ms: p50 / p90 / p99 (n); a negative head is the client reading while end() runs on",
  );
  for (const [kind, cols] of [...byKind].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`${kind}:`);
    for (const [key, v] of cols) {
      v.sort((x, y) => x - y);
      const q = (f: number) =>
        (v[Math.min(v.length - 1, Math.floor(f * v.length))] as number).toFixed(3);
      const slow = key.endsWith("→commit") ? `   > 1 ms: ${v.filter((x) => x > 1).length}` : "";
      console.log(`   ${key.padEnd(24)} ${q(0.5)} / ${q(0.9)} / ${q(0.99)} (${v.length})${slow}`);
    }
  }
}

for (const s of streams) s.close();
agent.destroy();
for (const cli of clis) await cli.server.stop();
await bare.stop();
rmSync(dir, { recursive: true, force: true });
