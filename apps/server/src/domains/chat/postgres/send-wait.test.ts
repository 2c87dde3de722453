import { afterEach, describe, expect, it, vi } from "vitest";
import { elementsOf } from "../../../storage/postgres/binary-arrays.js";
import type { PgDatabase } from "../../../storage/postgres/database.js";
import type { PgEvents } from "../../events/postgres-store.js";
import { type SendRow, type SendValues, sendBatcher } from "./send-batch.js";

// The send batcher's group-commit wait (send-batch.ts, `groupWaitMicros`), against a stand-in
// database whose calls the test answers: which sends share a call is the behaviour a user sees
// (one commit, one WAL flush, for sends that would otherwise pay one each).

/** A promise and its resolver, to hold a call open without sleeping. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** A database whose every call waits for the test to open its gate; records each call's ids. */
function fakeDatabase() {
  const calls: string[][] = [];
  const gates: ReturnType<typeof gate>[] = [];
  const db = {
    async queryRows(_sql: string, params: unknown[]): Promise<SendRow[]> {
      const ids = elementsOf(params[2] as Buffer) as string[];
      calls.push(ids);
      const g = gate();
      gates.push(g);
      await g.wait;
      return ids.map((_, i) => ({
        session_agent: null,
        session_expires: null,
        session_revoked: null,
        is_member: true,
        is_blocked: false,
        reply_found: true,
        new_seq: i + 1,
        old_version: i,
      }));
    },
  } as unknown as PgDatabase;
  const events = { channel: "fluxra_events", positionLock: () => true } as unknown as PgEvents;
  /** Answers call `n` (0-based) once it was made. */
  const answer = (n: number) => gates[n]?.open();
  return { db, events, calls, answer };
}

const values = (id: string): SendValues => ({
  conversation: "cnv_1",
  author: "agt_1",
  id,
  content: id,
  contentType: "text/plain",
  replyTo: null,
  metadata: null,
  now: 0,
  eventId: `evt_${id}`,
  jsonHead: "{",
  jsonTail: "}",
  session: null,
  sessionNow: 0,
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the send batcher's group-commit wait", () => {
  it("sends a lone send on an idle instance at once, before any timer could fire", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { db, events, calls, answer } = fakeDatabase();
    const send = sendBatcher(db, events, { groupWaitMicros: 500 });
    const first = send(values("msg_1"));
    // Issued within the same turn: no timer ran (fake timers never advanced).
    expect(calls).toEqual([["msg_1"]]);
    vi.advanceTimersByTime(5); // the call took 5 ms
    answer(0);
    await first;
    // Still idle (the last batch was a single send, nothing queued): the next one goes at once.
    const second = send(values("msg_2"));
    expect(calls).toEqual([["msg_1"], ["msg_2"]]);
    answer(1);
    await second;
    expect(vi.getTimerCount()).toBe(0);
  });

  it("lets a caller answered from a batch join the sends queued meanwhile: one call, not two", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { db, events, calls, answer } = fakeDatabase();
    const send = sendBatcher(db, events, { groupWaitMicros: 500 });
    // Wave 1: one send goes out alone, four arrive while it commits.
    const first = send(values("msg_a"));
    const queued = ["msg_b", "msg_c", "msg_d", "msg_e"].map((id) => send(values(id)));
    vi.advanceTimersByTime(4); // the call took 4 ms: the wait may last min(500 µs, 2 ms)
    // Wave 2: msg_a's caller sends again as soon as it is answered, before the wait's cap.
    const again = first.then(() => send(values("msg_f")));
    answer(0);
    await first;
    await vi.advanceTimersByTimeAsync(0); // msg_f is sent (no time passes)
    expect(calls).toEqual([["msg_a"], ["msg_b", "msg_c", "msg_d", "msg_e", "msg_f"]]);
    answer(1);
    await Promise.all([...queued, again]);
  });

  it("waits no longer than its cap for sends that do not come", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { db, events, calls, answer } = fakeDatabase();
    const send = sendBatcher(db, events, { groupWaitMicros: 500 });
    const first = send(values("msg_a"));
    const queued = ["msg_b", "msg_c"].map((id) => send(values(id)));
    vi.advanceTimersByTime(4);
    answer(0);
    await first;
    expect(calls).toEqual([["msg_a"]]); // held for msg_a's caller
    await vi.advanceTimersByTimeAsync(1); // the cap (at Node's 1 ms timer granularity)
    expect(calls).toEqual([["msg_a"], ["msg_b", "msg_c"]]);
    answer(1);
    await Promise.all(queued);
    // The burst is over: once its wait has passed, a lone send goes out at once again.
    await vi.advanceTimersByTimeAsync(1);
    void send(values("msg_g"));
    expect(calls).toEqual([["msg_a"], ["msg_b", "msg_c"], ["msg_g"]]);
    answer(2);
  });

  it("does not wait when disabled (0)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { db, events, calls, answer } = fakeDatabase();
    const send = sendBatcher(db, events, { groupWaitMicros: 0 });
    const first = send(values("msg_a"));
    const queued = ["msg_b", "msg_c"].map((id) => send(values(id)));
    vi.advanceTimersByTime(4);
    answer(0);
    await first;
    expect(calls).toEqual([["msg_a"], ["msg_b", "msg_c"]]);
    answer(1);
    await Promise.all(queued);
  });
});
