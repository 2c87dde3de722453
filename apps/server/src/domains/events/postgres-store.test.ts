import { afterAll, describe, expect, it } from "vitest";
import { createTestPostgresStore, testBackend } from "../../storage/postgres/test-store.js";
import { pgEvents } from "./postgres-store.js";

const stores: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const store of stores.reverse()) await store.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Always on PostgreSQL: run once, in the default pass.
describe.skipIf(testBackend === "postgres")("PostgreSQL event positions", () => {
  it("never let a reader pass a position whose transaction is still in flight", async () => {
    // Two instances (pools) on one schema.
    const key = `events-order-${process.pid}-${Date.now()}`;
    const one = createTestPostgresStore({ shareKey: key });
    stores.push(one);
    const two = createTestPostgresStore({ shareKey: key });
    stores.push(two);
    await one.ready();
    await two.ready();
    const agent = "agt_01jqzb7x3k9m2n4p6r8s0t1v2w";
    const conversation = "cnv_01jqzbd3e5f7g9h1j3k5m7n9p1";
    const draft = (content: string) => ({
      type: "message.created" as const,
      conversationId: conversation,
      data: { content },
      now: Date.now(),
    });
    const start = await one.events.head();
    // A allocates its position first and stays open; B starts after it and commits first.
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const a = one.db.tx(async (q) => {
      await pgEvents(one.db).writer.toAgent(q, agent, draft("A"));
      await gate;
    });
    await sleep(150);
    const b = two.db.tx(async (q) => {
      await pgEvents(two.db).writer.toAgent(q, agent, draft("B"));
    });
    await sleep(150);
    const first = await two.events.page(agent, start, 100);
    release();
    await Promise.all([a, b]);
    const second = await one.events.page(agent, first.next, 100);
    const contents = [...first.events, ...second.events].map(
      (e) => (JSON.parse(e.json) as { data: { content: string } }).data.content,
    );
    // Both delivered, each once, in position order (A's position is the smaller).
    expect(contents).toEqual(["A", "B"]);
  });

  it("delivers one conversation's messages in seq order under concurrent senders", async () => {
    // The guarantee an ordering by transaction id (the lock-free sketch in the README) breaks:
    // a sender can get its xid before another one takes the conversation's row lock, then bump
    // seq after it. Many senders on one conversation, on two instances; the feed must follow seq.
    const key = `events-seq-${process.pid}-${Date.now()}`;
    const one = createTestPostgresStore({ shareKey: key, maxConnections: 8 });
    stores.push(one);
    const two = createTestPostgresStore({ shareKey: key, maxConnections: 8 });
    stores.push(two);
    await one.ready();
    await two.ready();
    const owner = "agt_01jqzb7x3k9m2n4p6r8s0t1v2w";
    const reader = "agt_01jqzb7x3k9m2n4p6r8s0t1v2x";
    const conversation = "cnv_01jqzbd3e5f7g9h1j3k5m7n9p2";
    await one.db.tx(async (q) => {
      await q(
        `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at,
           created_at, updated_at) VALUES ($1, 'group', 't', $2, 2, 0, 0, 0)`,
        [conversation, owner],
      );
      await q(
        `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
         VALUES ($1, $2, 'owner', 0), ($1, $3, 'member', 0)`,
        [conversation, owner, reader],
      );
    });
    const start = await one.events.head();
    let n = 0;
    const sender = async (store: typeof one) => {
      for (let i = 0; i < 12; i++) {
        const out = await store.chat.sendMessage(
          owner,
          conversation,
          {
            id: `msg_${String(++n).padStart(26, "0")}`,
            content: "hi",
            content_type: "text/plain",
            reply_to_id: null,
            metadata: null,
          },
          Date.now(),
        );
        expect(out.ok).toBe(true);
      }
    };
    await Promise.all([one, two, one, two, one, two, one, two].map(sender));
    const seqs: number[] = [];
    let cursor = start;
    for (;;) {
      const page = await two.events.page(reader, cursor, 50);
      for (const e of page.events) {
        seqs.push((JSON.parse(e.json) as { data: { seq: number } }).data.seq);
      }
      if (page.events.length === 0) break;
      cursor = page.next;
    }
    expect(seqs).toHaveLength(96);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it("sends one NOTIFY naming the recipients, on commit only", async () => {
    const one = createTestPostgresStore();
    stores.push(one);
    await one.ready();
    const woken: (string[] | "all")[] = [];
    const stop = one.events.subscribe((w) => woken.push(w));
    await sleep(300); // LISTEN established (it wakes everyone once)
    woken.length = 0;
    const agent = "agt_01jqzb7x3k9m2n4p6r8s0t1v2w";
    const draft = {
      type: "read.updated" as const,
      conversationId: "cnv_01jqzbd3e5f7g9h1j3k5m7n9p1",
      data: {},
      now: Date.now(),
    };
    await one.db
      .tx(async (q) => {
        await pgEvents(one.db).writer.toAgent(q, agent, draft);
        throw new Error("roll back");
      })
      .catch(() => undefined);
    await one.db.tx((q) => pgEvents(one.db).writer.toAgent(q, agent, draft));
    await sleep(300);
    stop();
    expect(woken).toEqual([[agent]]);
  });
});
