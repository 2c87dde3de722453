import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPostgresStore } from "../../../storage/postgres/test-store.js";
import { pgEvents } from "../../events/postgres-store.js";
import type { MessageRecord, NewMessage, Outcome } from "../store.js";

// Group commit of PostgreSQL sends (send-batch.ts, migration 20261207T0400_send_messages_function):
// sends issued together share transactions, and each still gets its own answer.
const store = createTestPostgresStore({ shareKey: "send-batch" });
/** The same schema with the group-commit wait on (`FLUXRA_PG_SEND_WAIT_US=500`). */
const waiting = createTestPostgresStore({ shareKey: "send-batch", sendGroupWaitMicros: 500 });
const q = store.db.query;
const [alice, bob, carol] = ["agt_alice", "agt_bob", "agt_carol"];

beforeAll(async () => {
  await q(
    `INSERT INTO agents (id, handle, display_name, created_at, updated_at)
     SELECT id, id, id, 0, 0 FROM unnest($1::text[]) AS id`,
    [[alice, bob, carol]],
  );
  await q(
    `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at, created_at, updated_at, direct_low, direct_high)
     VALUES ('cnv_g1', 'group', 'g1', $1, 2, 0, 0, 0, NULL, NULL),
            ('cnv_g2', 'group', 'g2', $1, 2, 0, 0, 0, NULL, NULL),
            ('cnv_d', 'direct', NULL, $1, 2, 0, 0, 0, $1, $2),
            ('cnv_g3', 'group', 'g3', $1, 2, 0, 0, 0, NULL, NULL)`,
    [alice, bob],
  );
  await q(
    `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
     SELECT c, x, 'member', 0 FROM unnest(ARRAY['cnv_g1', 'cnv_g2', 'cnv_d']) AS c,
       unnest($1::text[]) AS x`,
    [[alice, bob]],
  );
  await q(
    `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
     SELECT 'cnv_g3', x, 'member', 0 FROM unnest($1::text[]) AS x`,
    [[alice, carol]],
  );
  // Bob blocks Alice: their direct conversation refuses sends either way.
  await q(
    `INSERT INTO blocks (id, blocker_id, type, target_id, created_at)
     VALUES ('blk_1', $1, 'agent', $2, 0)`,
    [bob, alice],
  );
});
afterAll(async () => {
  await waiting.close();
  await store.close();
});

const message = (id: string, extra: Partial<NewMessage> = {}): NewMessage => ({
  id,
  content: `hello ${id}`,
  content_type: "text/plain",
  reply_to_id: null,
  metadata: { n: id },
  ...extra,
});

describe("PostgreSQL sends in one batch", () => {
  it("share transactions, keep seq gap-free per conversation, and answer each send alone", async () => {
    // Migrations applied first (the first call waits for them): what follows is sent together.
    expect(await store.chat.sendMessage(carol, "cnv_g1", message("msg_warm"), 1)).toMatchObject({
      code: "not_found",
    });
    const calls: { name: string; run: Promise<Outcome<MessageRecord>> }[] = [];
    const send = (name: string, caller: string, conv: string, extra?: Partial<NewMessage>) =>
      calls.push({ name, run: store.chat.sendMessage(caller, conv, message(name, extra), 1000) });
    for (let i = 0; i < 24; i++) {
      send(`msg_ok${i}`, i % 3 === 0 ? bob : alice, i % 2 === 0 ? "cnv_g1" : "cnv_g2");
      if (i % 8 === 1) send(`msg_nonmember${i}`, carol, "cnv_g1");
      if (i % 8 === 3) send(`msg_blocked${i}`, alice, "cnv_d");
      if (i % 8 === 5) send(`msg_badreply${i}`, alice, "cnv_g1", { reply_to_id: "msg_none" });
    }
    const settled = await Promise.allSettled(calls.map((c) => c.run));
    const by = new Map(calls.map((c, i) => [c.name, settled[i]]));

    for (const [name, s] of by) {
      expect(s?.status, name).toBe("fulfilled");
      const out = (s as PromiseFulfilledResult<Outcome<MessageRecord>>).value;
      if (name.startsWith("msg_ok")) expect(out.ok, name).toBe(true);
      else if (name.startsWith("msg_nonmember")) expect(out).toMatchObject({ code: "not_found" });
      else if (name.startsWith("msg_blocked")) expect(out).toMatchObject({ code: "blocked" });
      else expect(out).toMatchObject({ code: "invalid", path: "body.reply_to_id" });
    }

    // Only the accepted sends were written, each once, seq 1..n per conversation.
    const rows = await q<{ id: string; conversation_id: string; seq: number; tx: string }>(
      "SELECT id, conversation_id, seq, xmin::text AS tx FROM messages ORDER BY conversation_id, seq",
    );
    expect(rows.map((r) => r.id).sort()).toEqual(
      [...by.keys()].filter((n) => n.startsWith("msg_ok")).sort(),
    );
    for (const conv of ["cnv_g1", "cnv_g2"]) {
      const seqs = rows.filter((r) => r.conversation_id === conv).map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    const [counters] = await q<{ g1: number; g2: number }>(
      `SELECT (SELECT next_seq FROM conversations WHERE id = 'cnv_g1') AS g1,
              (SELECT next_seq FROM conversations WHERE id = 'cnv_g2') AS g2`,
    );
    expect(counters).toEqual({ g1: 13, g2: 13 });
    // Group commit: fewer transactions than sends.
    expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(rows.length);

    // Each answer is the stored message, and its one message.created event carries the same JSON.
    const events = await q<{ data: string; pos: number; recipients: string[] }>(
      `SELECT e.data, e.pos, array_agg(r.agent_id ORDER BY r.agent_id) AS recipients
       FROM events e JOIN event_recipients r ON r.pos = e.pos
       WHERE e.type = 'message.created' GROUP BY e.pos ORDER BY e.pos`,
    );
    expect(events).toHaveLength(rows.length);
    // Feed positions follow each conversation's seq (a batch writes its events in the order it
    // applied the sends).
    for (const conv of ["cnv_g1", "cnv_g2"]) {
      const inFeedOrder = events
        .map((e) => JSON.parse(e.data) as MessageRecord)
        .filter((m) => m.conversation_id === conv)
        .map((m) => m.seq);
      expect(inFeedOrder).toEqual(inFeedOrder.map((_, i) => i + 1));
    }
    for (const [name, s] of by) {
      if (!name.startsWith("msg_ok")) continue;
      const sent = (s as PromiseFulfilledResult<Outcome<MessageRecord>>).value;
      if (!sent.ok) throw new Error(name);
      const row = rows.find((r) => r.id === name);
      expect(sent.value.seq).toBe(row?.seq);
      const event = events.filter((e) => JSON.parse(e.data).id === name);
      expect(event).toHaveLength(1);
      expect(JSON.parse(event[0]?.data ?? "")).toEqual(sent.value);
      // Bob blocked Alice: her messages' events skip him.
      const author = sent.value.author_id;
      expect(event[0]?.recipients).toEqual(author === alice ? [alice] : [alice, bob]);
    }
    // The tail serves the new messages exactly as stored.
    const page = await store.chat.listMessages(
      alice,
      "cnv_g1",
      { direction: "asc", seq: null },
      50,
    );
    if (!page.ok) throw new Error("listMessages refused");
    expect(JSON.parse(page.value.json).map((m: MessageRecord) => m.seq)).toEqual(
      rows.filter((r) => r.conversation_id === "cnv_g1").map((r) => r.seq),
    );
  });

  it("send everything that arrived while a batch commits in one next batch", async () => {
    const names = ["msg_n0", "msg_n1", "msg_n2", "msg_n3", "msg_n4", "msg_n5"];
    const sent = await Promise.all(
      names.map((n) => store.chat.sendMessage(alice, "cnv_g1", message(n), 3000)),
    );
    expect(sent.every((s) => s.ok)).toBe(true);
    const rows = await q<{ tx: string }>(
      "SELECT xmin::text AS tx FROM messages WHERE id = ANY($1) ORDER BY seq",
      [names],
    );
    // The first goes out alone at once; the five asked meanwhile share the next transaction
    // (one call in flight: a second call would have taken the second send alone).
    expect(rows.map((r) => r.tx).filter((t, i, all) => all.indexOf(t) === i)).toHaveLength(2);
  });

  it("let a caller answered from a batch send again into the batch its neighbours wait in", async () => {
    // Group-commit wait (send-batch.ts, `groupWaitMicros`, off unless set): under concurrency the next batch waits
    // a moment for the sends expected back, so a closed-loop caller's next send shares a commit
    // with the sends queued meanwhile instead of paying one of its own.
    const first = waiting.chat.sendMessage(alice, "cnv_g1", message("msg_v0"), 3500);
    const again = first.then(() =>
      waiting.chat.sendMessage(alice, "cnv_g1", message("msg_v6"), 3506),
    );
    const names = ["msg_v1", "msg_v2", "msg_v3", "msg_v4", "msg_v5"];
    const rest = names.map((n, i) => waiting.chat.sendMessage(bob, "cnv_g1", message(n), 3501 + i));
    const sent = await Promise.all([first, again, ...rest]);
    expect(sent.every((s) => s.ok)).toBe(true);
    const rows = await q<{ id: string; tx: string }>(
      "SELECT id, xmin::text AS tx FROM messages WHERE id LIKE 'msg_v%' ORDER BY seq",
    );
    expect(rows.map((r) => r.id)).toEqual([
      "msg_v0",
      "msg_v1",
      "msg_v2",
      "msg_v3",
      "msg_v4",
      "msg_v5",
      "msg_v6",
    ]);
    // Two commits: msg_v0 alone, then the five queued with msg_v0's caller's next send.
    expect(new Set(rows.slice(1).map((r) => r.tx)).size).toBe(1);
    expect(rows[0]?.tx).not.toBe(rows[1]?.tx);
  });

  it("fail only the send at fault when a batch's transaction fails", async () => {
    const names = ["msg_w0", "msg_w1", "msg_nul", "msg_w2", "msg_w3"];
    const settled = await Promise.allSettled(
      names.map((n) =>
        // PostgreSQL refuses NUL in text: that send's batch fails, and is run again send by send.
        store.chat.sendMessage(
          alice,
          "cnv_g2",
          message(n, n === "msg_nul" ? { content: "a\u0000b" } : {}),
          2000,
        ),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    const rows = await q<{ seq: number }>(
      "SELECT seq FROM messages WHERE conversation_id = 'cnv_g2' ORDER BY seq",
    );
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows).toHaveLength(16);
    const [nul] = await q<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE data LIKE '%msg_nul%'",
    );
    expect(nul?.n).toBe(0);
  });

  it("accept a reply to a message sent earlier in the same batch, and only to an accepted one", async () => {
    const first = store.chat.sendMessage(alice, "cnv_g3", message("msg_r0"), 4000);
    // Asked while msg_r0's call runs: one batch, in this order.
    const rest = [
      store.chat.sendMessage(alice, "cnv_g3", message("msg_r1"), 4001),
      store.chat.sendMessage(carol, "cnv_g3", message("msg_r2", { reply_to_id: "msg_r1" }), 4002),
      store.chat.sendMessage(alice, "cnv_g3", message("msg_r3", { reply_to_id: "msg_r2" }), 4003),
      // Bob is no member of cnv_g3: refused, so a reply to his message finds nothing.
      store.chat.sendMessage(bob, "cnv_g3", message("msg_r4"), 4004),
      store.chat.sendMessage(alice, "cnv_g3", message("msg_r5", { reply_to_id: "msg_r4" }), 4005),
      // A reply to a message sent later in the batch is not found either (not sent yet).
      store.chat.sendMessage(alice, "cnv_g3", message("msg_r6", { reply_to_id: "msg_r7" }), 4006),
      store.chat.sendMessage(alice, "cnv_g3", message("msg_r7"), 4007),
    ];
    expect((await first).ok).toBe(true);
    const out = await Promise.all(rest);
    expect(out.map((o) => (o.ok ? o.value.seq : o.code))).toEqual([
      2,
      3,
      4,
      "not_found",
      "invalid",
      "invalid",
      5,
    ]);
    const rows = await q<{ id: string; reply_to_id: string | null; tx: string }>(
      "SELECT id, reply_to_id, xmin::text AS tx FROM messages WHERE conversation_id = 'cnv_g3' ORDER BY seq",
    );
    expect(rows.map((r) => [r.id, r.reply_to_id])).toEqual([
      ["msg_r0", null],
      ["msg_r1", null],
      ["msg_r2", "msg_r1"],
      ["msg_r3", "msg_r2"],
      ["msg_r7", null],
    ]);
    expect(new Set(rows.slice(1).map((r) => r.tx)).size).toBe(1);
    // The conversation row moved once per message: version, next seq and activity.
    const [conv] = await q<{ next_seq: number; messages_version: number; activity_at: number }>(
      "SELECT next_seq, messages_version, activity_at FROM conversations WHERE id = 'cnv_g3'",
    );
    expect(conv).toEqual({ next_seq: 6, messages_version: 5, activity_at: 4007 });
  });

  it("wake every recipient of a batch over several conversations with one notice", async () => {
    const woken: (string[] | "all")[] = [];
    const stop = store.events.subscribe((w) => woken.push(w));
    await sleep(300); // LISTEN established (it wakes everyone once)
    woken.length = 0;
    const first = store.chat.sendMessage(alice, "cnv_g2", message("msg_k0"), 5000);
    const rest = [
      store.chat.sendMessage(bob, "cnv_g1", message("msg_k1"), 5001),
      store.chat.sendMessage(carol, "cnv_g3", message("msg_k2"), 5002),
    ];
    expect((await first).ok).toBe(true);
    expect((await Promise.all(rest)).every((o) => o.ok)).toBe(true);
    await sleep(300);
    stop();
    // msg_k0 alone: Alice (Bob blocked her); then one notice for the batch of two.
    expect(woken.map((w) => (w === "all" ? w : [...w].sort()))).toEqual([
      [alice],
      [alice, bob, carol],
    ]);
  });

  it("refuse, as a caller bug, sends that are not grouped by conversation", async () => {
    const [before] = await q<{ n: number }>("SELECT count(*)::int AS n FROM messages");
    const events = pgEvents(store.db);
    const ids = ["msg_u1", "msg_u2", "msg_u3"];
    await expect(
      q(
        `SELECT * FROM fluxra_send_messages($1::text[], $2::text[], $3::text[], $4::text[],
           $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[],
           $11::text[], $12, true)`,
        [
          ["cnv_g1", "cnv_g2", "cnv_g1"],
          [alice, alice, alice],
          ids,
          ids,
          ids.map(() => "text/plain"),
          ids.map(() => null),
          ids.map(() => null),
          ids.map(() => 6000),
          ids.map((id) => `evt_${id}`),
          ids.map((id) => `{"id":"${id}","seq":`),
          ids.map(() => "}"),
          events.channel,
        ],
      ),
    ).rejects.toThrow(/not grouped by conversation/);
    const [after] = await q<{ n: number }>("SELECT count(*)::int AS n FROM messages");
    expect(after?.n).toBe(before?.n);
  });
});

describe("PostgreSQL sends checking their callers' sessions in the batch", () => {
  it("write nothing for a dead session, and everything else of the same batch", async () => {
    await q(
      `INSERT INTO api_keys (id, agent_id, name, prefix, secret_hash, created_at)
       VALUES ('key_a', $1, 'a', 'p', 'h_a', 0), ('key_b', $2, 'b', 'p', 'h_b', 0)`,
      [alice, bob],
    );
    // Alice's live session, Bob's live one, Bob's revoked one, Bob's expired one.
    await q(
      `INSERT INTO sessions (id_hash, id, agent_id, api_key_id, created_at, expires_at, revoked_at)
       VALUES ('h_live_a', 'ses_la', $1, 'key_a', 0, 100000, NULL),
              ('h_live_b', 'ses_lb', $2, 'key_b', 0, 100000, NULL),
              ('h_revoked', 'ses_r', $2, 'key_b', 0, 100000, 50),
              ('h_expired', 'ses_e', $2, 'key_b', 0, 7000, NULL)`,
      [alice, bob],
    );
    const [before] = await q<{ n: number }>(
      "SELECT count(*)::int AS n FROM messages WHERE conversation_id = 'cnv_g2'",
    );
    const calls: { name: string; run: Promise<Outcome<MessageRecord>> }[] = [];
    const send = (name: string, caller: string, hash: string) =>
      calls.push({
        name,
        run: store.chat.sendMessage(caller, "cnv_g2", message(name), 8000, {
          idHash: hash,
          now: 8000,
          checked: false,
        }),
      });
    // Sent together: the dead ones sit between live ones of the same batch and conversation.
    for (let i = 0; i < 4; i++) {
      send(`msg_live${i}`, i % 2 === 0 ? alice : bob, i % 2 === 0 ? "h_live_a" : "h_live_b");
      send(`msg_revoked${i}`, bob, "h_revoked");
      send(`msg_expired${i}`, bob, "h_expired");
      send(`msg_missing${i}`, bob, "h_missing");
      send(`msg_stolen${i}`, alice, "h_live_b"); // Bob's session, Alice's token: not hers
    }
    const settled = await Promise.allSettled(calls.map((c) => c.run));
    const codes = new Map<string, string>();
    for (const [i, s] of settled.entries()) {
      const name = calls[i]?.name as string;
      if (name.startsWith("msg_live")) {
        expect(s.status, name).toBe("fulfilled");
        expect((s as PromiseFulfilledResult<Outcome<MessageRecord>>).value.ok, name).toBe(true);
      } else {
        expect(s.status, name).toBe("rejected");
        codes.set(name.replace(/\d+$/, ""), (s as PromiseRejectedResult).reason.code);
      }
    }
    expect(Object.fromEntries(codes)).toEqual({
      msg_revoked: "session_revoked",
      msg_expired: "token_expired",
      msg_missing: "invalid_credentials",
      msg_stolen: "invalid_credentials",
    });
    const rows = await q<{ id: string; seq: number }>(
      "SELECT id, seq::int AS seq FROM messages WHERE conversation_id = 'cnv_g2' ORDER BY seq",
    );
    const written = rows.slice(before?.n ?? 0);
    expect(written.map((r) => r.id).sort()).toEqual(
      ["msg_live0", "msg_live1", "msg_live2", "msg_live3"].sort(),
    );
    // Gap-free: the refused sends took no seq.
    const first = written[0]?.seq as number;
    expect(written.map((r) => r.seq)).toEqual([first, first + 1, first + 2, first + 3]);
    // Only the written messages have events.
    const [events] = await q<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE data LIKE '%msg_revoked%' OR data LIKE '%msg_stolen%'",
    );
    expect(events?.n).toBe(0);
  });
});
