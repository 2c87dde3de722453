/** Delivery measurements of the Events bench against running servers (see bench/events.ts). */
import { cpuSeconds } from "../cpu.js";
import type { SeededAgent } from "../seed.js";
import { percentiles, rssMb, sendOne, subscribe } from "./sse-client.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** send (through `sendBase`) → event seen by an SSE stream held on `streamBase`: p50/p99 ms. */
export async function sseLatency(
  sendBase: string,
  streamBase: string,
  sender: SeededAgent,
  receiver: SeededAgent,
  conversation: string,
  rounds: number,
) {
  let arrived: (() => void) | undefined;
  const sub = subscribe(streamBase, receiver.accessToken, () => arrived?.());
  await sub.ready;
  const samples: number[] = [];
  const acks: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const got = new Promise<void>((r) => {
      arrived = r;
    });
    const t0 = performance.now();
    const sent = sendOne(sendBase, sender.accessToken, conversation, `sse ${i}`).then(() =>
      acks.push(performance.now() - t0),
    );
    await Promise.all([sent, got]);
    samples.push(performance.now() - t0);
  }
  sub.close();
  // Delivery includes the send's own round trip: `sendAck` is that round trip alone.
  return { ...percentiles(samples), sendAck: percentiles(acks) };
}

/** send → answer of a long-poll held (wait=30) before the send: p50/p99 ms. */
export async function longPollLatency(
  base: string,
  sender: SeededAgent,
  receiver: SeededAgent,
  conversation: string,
  rounds: number,
) {
  const headers = { authorization: `Bearer ${receiver.accessToken}` };
  let cursor = (
    (await (await fetch(`${base}/api/events`, { headers })).json()) as {
      next_cursor: string;
    }
  ).next_cursor;
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const held = fetch(`${base}/api/events?wait=30&cursor=${encodeURIComponent(cursor)}`, {
      headers,
    }).then(async (r) => {
      const body = (await r.json()) as { next_cursor: string };
      return { body, at: performance.now() };
    });
    await sleep(15); // the poll is held by the server
    const t0 = performance.now();
    await sendOne(base, sender.accessToken, conversation, `poll ${i}`);
    const { body, at } = await held;
    cursor = body.next_cursor;
    samples.push(at - t0);
  }
  return percentiles(samples);
}

/** Sends for `seconds` from `workers` concurrent senders; sends per second. */
export async function sendRate(
  base: string,
  sender: SeededAgent,
  conversation: string,
  seconds: number,
  workers = 8,
) {
  let count = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        await sendOne(base, sender.accessToken, conversation, "load");
        count++;
      }
    }),
  );
  return count / seconds;
}

/**
 * Holds `count` idle SSE streams (spread over `agents`), measuring the server's extra RSS and its
 * CPU over `idleSeconds` while nothing happens. Returns the streams' closer.
 */
export async function holdStreams(
  base: string,
  pid: number | undefined,
  agents: SeededAgent[],
  count: number,
  idleSeconds: number,
) {
  const before = await rssMb(pid);
  const subs = Array.from({ length: count }, (_, i) =>
    subscribe(base, (agents[i % agents.length] as SeededAgent).accessToken, () => {}),
  );
  await Promise.all(subs.map((s) => s.ready));
  await sleep(1000);
  const held = await rssMb(pid);
  const cpu0 = cpuSeconds(pid);
  await sleep(idleSeconds * 1000);
  const idleCpuPct = ((cpuSeconds(pid) - cpu0) / idleSeconds) * 100;
  return {
    rssBeforeMb: before,
    rssHeldMb: held,
    idleCpuPct,
    close: () => {
      for (const s of subs) s.close();
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
