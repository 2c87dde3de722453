/** Delivery measurements of the Events bench against running servers (see ./suite.ts). */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cpuSeconds } from "../cpu.js";
import type { SeededAgent } from "../seed.js";
import { percentiles, rssMb, sendOne, subscribe } from "./sse-client.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Latency percentiles (ms) over `rounds` samples. */
export interface Latency {
  p50: number;
  p99: number;
  rounds: number;
}

/** One run of {@link deliveryLatency}: both transports measured the same way, interleaved. */
export interface Delivery {
  /** send → the held long-poll's answer parsed by the client. */
  longPoll: Latency;
  /** send → the event's frame parsed by the SSE client. */
  sse: Latency;
  /** The send's own round trip (its 201 parsed), over all rounds of both transports. */
  sendAck: Latency;
  /** Idle time before each send (the long-poll is re-issued and held during it). */
  gapMs: number;
}

const latency = (samples: number[]): Latency => ({
  ...percentiles(samples),
  rounds: samples.length,
});

/**
 * send (through `sendBase`) → event received by `receiver` on `receiveBase`, by a held long-poll
 * and by an SSE stream, measured alike so the two can be compared: rounds alternate in blocks of
 * `block` (so drift on a shared machine hits both), each round waits `gapMs` before its send
 * (a long-poll must be re-issued and held by the server before the send; the stream gets the
 * same idle gap, since a machine idle for a while answers slower than one kept busy), the timer
 * starts just before the send, and a sample ends when the client has parsed the event (not when
 * the send is acknowledged: that round trip is reported on its own). Connections are reused
 * (one keep-alive pool for sends and polls). The stream is held during the stream blocks only:
 * held throughout, it was woken by every long-poll round's send too, and the server wrote its
 * frame (and the client parsed it) ahead of the long-poll's answer, so the long-poll was
 * measured with a second delivery in front of it and the stream without (issue 18, branch
 * wt/idle).
 */
export async function deliveryLatency(
  sendBase: string,
  receiveBase: string,
  sender: SeededAgent,
  receiver: SeededAgent,
  conversation: string,
  rounds: number,
  { gapMs = 15, block = 50 }: { gapMs?: number; block?: number } = {},
): Promise<Delivery> {
  const headers = { authorization: `Bearer ${receiver.accessToken}` };
  // A cursor at "now": each long-poll block starts past the stream rounds' events.
  const now = async () =>
    (
      (await (await fetch(`${receiveBase}/api/events`, { headers })).json()) as {
        next_cursor: string;
      }
    ).next_cursor;
  // The stream (held during its blocks) sees every send of them: only its own round's message
  // ends a stream sample.
  let expected = "";
  let arrived: ((at: number) => void) | undefined;
  const open = async () => {
    const sub = subscribe(receiveBase, receiver.accessToken, (data) => {
      if (expected !== "" && data.includes(expected)) arrived?.(performance.now());
    });
    await sub.ready;
    return sub;
  };
  let sub: { close(): void } | undefined;
  const poll: number[] = [];
  const stream: number[] = [];
  const acks: number[] = [];
  let serial = 0;
  const send = async (t0: number, text: string) => {
    await sendOne(sendBase, sender.accessToken, conversation, text);
    acks.push(performance.now() - t0);
  };
  try {
    for (let done = 0; done < rounds; done += block) {
      const n = Math.min(block, rounds - done);
      let cursor = await now();
      for (let i = 0; i < n; i++) {
        const held = fetch(
          `${receiveBase}/api/events?wait=30&cursor=${encodeURIComponent(cursor)}`,
          { headers },
        ).then(async (r) => {
          const body = (await r.json()) as { data: unknown[]; next_cursor: string };
          return { body, at: performance.now() };
        });
        await sleep(gapMs);
        const t0 = performance.now();
        const text = `poll round ${++serial}`;
        const [{ body, at }] = await Promise.all([held, send(t0, text)]);
        if (body.data.length !== 1 || !JSON.stringify(body.data).includes(`"${text}"`)) {
          throw new Error(`long-poll answered without its round's event: ${JSON.stringify(body)}`);
        }
        cursor = body.next_cursor;
        poll.push(at - t0);
      }
      sub = await open();
      for (let i = 0; i < n; i++) {
        await sleep(gapMs);
        expected = `"stream round ${++serial}"`;
        const got = new Promise<number>((r) => {
          arrived = r;
        });
        const t0 = performance.now();
        const [at] = await Promise.all([got, send(t0, expected.slice(1, -1))]);
        stream.push(at - t0);
      }
      sub.close();
      sub = undefined;
    }
  } finally {
    sub?.close();
  }
  return { longPoll: latency(poll), sse: latency(stream), sendAck: latency(acks), gapMs };
}

/** One send-rate measurement: sends per second, and the server's CPU per send. */
export interface SendRate {
  perSecond: number;
  /** Server CPU (user + system, /proc) µs per send: unlike the rate, not moved by other load. */
  serverCpuUs: number;
  /** Sends acknowledged, and the phase's wall-clock window (epoch ms, for traces). */
  sends: number;
  startedAt: number;
  endedAt: number;
}

/** Sends for `seconds` from `workers` concurrent senders to the server process `pid`. */
export async function sendRate(
  base: string,
  sender: SeededAgent,
  conversation: string,
  seconds: number,
  pid?: number,
  workers = 8,
): Promise<SendRate> {
  let count = 0;
  const startedAt = Date.now();
  const cpu0 = cpuSeconds(pid);
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        await sendOne(base, sender.accessToken, conversation, "load");
        count++;
      }
    }),
  );
  return {
    perSecond: count / seconds,
    serverCpuUs: ((cpuSeconds(pid) - cpu0) * 1e6) / count,
    sends: count,
    startedAt,
    endedAt: Date.now(),
  };
}

/** The streams' holder: a child process of this bench (see ./hold-streams.ts). */
const holderScript = fileURLToPath(new URL("./hold-streams.ts", import.meta.url));

/**
 * Holds `count` idle SSE streams (spread over `agents`) from a child process, measuring the
 * server's extra RSS and its CPU over `idleSeconds` while nothing happens. Returns the streams'
 * closer, which resolves once the holder has exited (its connections are closed).
 */
export async function holdStreams(
  base: string,
  pid: number | undefined,
  agents: SeededAgent[],
  count: number,
  idleSeconds: number,
) {
  const before = await rssMb(pid);
  // The parent's flags carry tsx's loader, so the child runs the TypeScript file as this does.
  const child = spawn(process.execPath, [...process.execArgv, holderScript, base, String(count)], {
    env: { ...process.env, FLUXRA_BENCH_TOKENS: JSON.stringify(agents.map((a) => a.accessToken)) },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("ready")) resolve();
    });
    void exited.then(() =>
      reject(new Error("the stream holder exited before its streams were held")),
    );
  });
  await sleep(1000);
  const held = await rssMb(pid);
  const cpu0 = cpuSeconds(pid);
  await sleep(idleSeconds * 1000);
  const idleCpuPct = ((cpuSeconds(pid) - cpu0) / idleSeconds) * 100;
  return {
    /** The holder's pid (traces read its CPU). */
    pid: child.pid,
    rssBeforeMb: before,
    rssHeldMb: held,
    idleCpuPct,
    close: async () => {
      child.stdin?.end();
      await exited;
    },
  };
}

/** A group of `streams` members each holding a stream: ms until all have one send's event. */
export async function fanOut(
  base: string,
  sender: SeededAgent,
  members: SeededAgent[],
  conversation: string,
  rounds: number,
) {
  let pending = 0;
  let done: (() => void) | undefined;
  const subs = members.map((m) =>
    subscribe(base, m.accessToken, () => {
      if (--pending === 0) done?.();
    }),
  );
  await Promise.all(subs.map((s) => s.ready));
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    pending = members.length;
    const all = new Promise<void>((r) => {
      done = r;
    });
    const t0 = performance.now();
    await Promise.all([sendOne(base, sender.accessToken, conversation, `fan ${i}`), all]);
    samples.push(performance.now() - t0);
  }
  for (const s of subs) s.close();
  return percentiles(samples);
}
