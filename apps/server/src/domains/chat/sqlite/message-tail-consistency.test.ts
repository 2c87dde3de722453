import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteDatabase } from "../../../storage/sqlite/database.js";
import { createSqliteBlocksStore } from "../../blocks/sqlite-store.js";
import { MessageTails } from "../message-tail.js";
import { MESSAGE_COLUMNS } from "../rows.js";
import type { ChatStore, MessageWindow, NewMessage } from "../store.js";
import { createSqliteChatStore } from "./index.js";
import { type MessageValues, toMessageFromValues } from "./sql.js";

const dir = mkdtempSync(join(tmpdir(), "fluxra-tail-consistency-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const agents = ["agt_a", "agt_b", "agt_c"] as const;
const GROUP = "cnv_group";
const DIRECT = "cnv_direct"; // agt_a and agt_b
const conversations = [GROUP, DIRECT] as const;
const membersOf = (c: string) => (c === GROUP ? agents : agents.slice(0, 2));

/** What a tail cache did: the tests must exercise both the tail and the SQL path. */
interface Stats {
  tailPages: number;
  tailMisses: number;
  stores: number;
  appends: number;
}

/**
 * A {@link MessageTails} that counts what it is asked (behaviour unchanged). Each world counts
 * on its own: a test reads only its own world's counts, never another test's (a test that ran
 * past its timeout keeps running in the background and would move shared counts).
 */
class CountingTails extends MessageTails {
  readonly stats: Stats = { tailPages: 0, tailMisses: 0, stores: 0, appends: 0 };
  override page(...args: Parameters<MessageTails["page"]>) {
    const page = super.page(...args);
    if (page === undefined) this.stats.tailMisses++;
    else this.stats.tailPages++;
    return page;
  }
  override store(...args: Parameters<MessageTails["store"]>) {
    this.stats.stores++;
    super.store(...args);
  }
  override append(...args: Parameters<MessageTails["append"]>) {
    this.stats.appends++;
    super.append(...args);
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

const agentIx = fc.integer({ min: 0, max: agents.length - 1 });
const convIx = fc.integer({ min: 0, max: 1 });
const at = fc.double({ min: 0, max: 1, noNaN: true });
const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.constantFrom("", "ünïcødé ✓ 🎉", 'quote " and \\ backslash', "x".repeat(400)),
);
const metadata = fc.option(
  fc.dictionary(
    fc.string({ maxLength: 6 }),
    fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null)),
    { maxKeys: 3 },
  ),
  { nil: null },
);

interface Send {
  author: number;
  conv: number;
  content: string;
  metadata: Record<string, unknown> | null;
  /** Reply to a message of the conversation (0..1 position), or to a missing id. */
  reply: number | "missing" | null;
  /** Reuse an existing message id: the insert fails and only this send must roll back. */
  duplicateId: boolean;
}

const send: fc.Arbitrary<Send> = fc.record({
  author: agentIx,
  conv: convIx,
  content: text,
  metadata,
  reply: fc.oneof(
    { weight: 6, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: at },
    { weight: 1, arbitrary: fc.constant("missing" as const) },
  ),
  duplicateId: fc.integer({ min: 0, max: 15 }).map((n) => n === 0),
});

interface List {
  caller: number;
  conv: number;
  direction: "asc" | "desc";
  /** Window bound: null, or a position between 0 and a bit past the newest seq. */
  seq: number | null;
  limit: number;
}
const list: fc.Arbitrary<List> = fc.record({
  caller: agentIx,
  conv: convIx,
  direction: fc.constantFrom("asc" as const, "desc" as const),
  seq: fc.option(fc.double({ min: 0, max: 1.1, noNaN: true }), { nil: null }),
  limit: fc.integer({ min: 1, max: 12 }),
});

type Command =
  | { kind: "burst"; sends: Send[]; lists: List[]; editFirst: boolean; extFirst: number | null }
  | { kind: "edit"; conv: number; at: number; content: string; metadata: boolean }
  | { kind: "delete"; conv: number; at: number; caller: number }
  | { kind: "block"; blocker: number; target: number }
  | { kind: "unblock"; blocker: number; target: number }
  | { kind: "list"; list: List }
  | { kind: "walk"; caller: number; conv: number; direction: "asc" | "desc"; limit: number }
  | { kind: "extUpdate"; conv: number; at: number; content: string }
  | { kind: "extInsert"; conv: number; count: number; author: number }
  | { kind: "extDelete"; conv: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("burst" as const),
      sends: fc.array(send, { minLength: 1, maxLength: 12 }),
      lists: fc.array(list, { maxLength: 2 }),
      editFirst: fc.boolean(),
      /** Another writer changes a message of the group just before the sends. */
      extFirst: fc.option(at, { nil: null }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("edit" as const),
      conv: convIx,
      at,
      content: text,
      metadata: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("delete" as const),
      conv: convIx,
      at,
      caller: agentIx,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("block" as const),
      blocker: agentIx,
      target: agentIx,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("unblock" as const),
      blocker: agentIx,
      target: agentIx,
    }),
  },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("list" as const), list }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("walk" as const),
      caller: agentIx,
      conv: convIx,
      direction: fc.constantFrom("asc" as const, "desc" as const),
      limit: fc.integer({ min: 1, max: 7 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("extUpdate" as const),
      conv: convIx,
      at,
      content: text,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("extInsert" as const),
      conv: convIx,
      count: fc.integer({ min: 1, max: 20 }),
      author: agentIx,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("extDelete" as const), conv: convIx }) },
);

// ---------------------------------------------------------------------------------------------
// The world of one run

interface World {
  db: SqliteDatabase;
  chat: ChatStore;
  blocks: ReturnType<typeof createSqliteBlocksStore>;
  tails: CountingTails;
  /** Second connection: external writes and the reference reads. */
  ext: Database.Database;
  /** `ext`'s statements, prepared once per run. */
  prepared: Map<string, Database.Statement>;
  now: number;
  ids: number;
}

let runs = 0;

/**
 * Every run starts from the same database: migrated, the agents, the group and the direct
 * conversation, made once through the store and copied per run. Migrating a fresh file for each
 * of the property's runs was most of its time (~35 ms of ~60 ms a run, more under load).
 */
const template = join(dir, "template.db");
beforeAll(async () => {
  const db = new SqliteDatabase(template);
  const add = db.raw.prepare(
    "INSERT INTO agents (id, handle, display_name, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
  );
  for (const a of agents) add.run(a, `${a.slice(4)}xx`, a);
  const chat = createSqliteChatStore(db);
  const group = await chat.createGroup(
    "agt_a",
    { id: GROUP, title: "g", description: null, member_ids: [...agents] },
    1,
  );
  expect(group.ok).toBe(true);
  const direct = await chat.openDirect("agt_a", "agt_b", DIRECT, 1);
  expect(direct.ok).toBe(true);
  db.close();
  await db.closed();
  // The last connection's close moved the WAL into the file and removed it: a copy of the file
  // is the database, still in WAL mode (so opening a copy converts nothing).
  expect(existsSync(`${template}-wal`)).toBe(false);
});

async function openWorld(): Promise<World> {
  runs += 1;
  const path = join(dir, `run-${runs}.db`);
  copyFileSync(template, path);
  const db = new SqliteDatabase(path);
  const tails = new CountingTails({ fill: 8, maxEntries: 16, maxBytes: 1 << 20 });
  const chat = createSqliteChatStore(db, tails);
  const blocks = createSqliteBlocksStore(db);
  const ext = new Database(path);
  ext.pragma("busy_timeout = 5000");
  return { db, chat, blocks, tails, ext, prepared: new Map(), now: 10, ids: 0 };
}

/** A statement of the reference connection. */
function sql(w: World, text: string): Database.Statement {
  let statement = w.prepared.get(text);
  if (statement === undefined) {
    statement = w.ext.prepare(text);
    w.prepared.set(text, statement);
  }
  return statement;
}

function closeWorld(w: World): void {
  w.ext.close();
  w.db.close();
}

/** Every message of a conversation as the database holds it, ascending (reference connection). */
function allRows(w: World, conv: string): MessageValues[] {
  return sql(w, `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY seq`)
    .raw(true)
    .all(conv) as MessageValues[];
}

function messageAt(w: World, conv: string, position: number): MessageValues | undefined {
  const rows = allRows(w, conv);
  if (rows.length === 0) return undefined;
  return rows[Math.min(rows.length - 1, Math.floor(position * rows.length))];
}

/**
 * The page by definition: every message of the conversation in the window whose author the
 * caller did not block, ordered, cut at `limit`; `next` is the last seq when more follow.
 */
function reference(
  w: World,
  caller: string,
  conv: string,
  window: MessageWindow,
  limit: number,
): { json: string; next: number | null } {
  const blocked = new Set(
    sql(w, "SELECT target_id FROM blocks WHERE blocker_id = ? AND type = 'agent'")
      .pluck()
      .all(caller) as string[],
  );
  let rows = allRows(w, conv).filter((v) => !blocked.has(v[3]));
  if (window.direction === "desc") {
    const bound = window.seq ?? Number.POSITIVE_INFINITY;
    rows = rows.filter((v) => v[2] < bound).reverse();
  } else {
    const bound = window.seq ?? 0;
    rows = rows.filter((v) => v[2] > bound);
  }
  const page = rows.slice(0, limit);
  const next = rows.length > limit ? (page.at(-1)?.[2] ?? null) : null;
  return { json: JSON.stringify(page.map(toMessageFromValues)), next };
}

function windowOf(w: World, l: List): { caller: string; conv: string; window: MessageWindow } {
  const conv = conversations[l.conv] as string;
  const members = membersOf(conv);
  const caller = members[l.caller % members.length] as string;
  const newest = allRows(w, conv).at(-1)?.[2] ?? 0;
  const seq = l.seq === null ? null : Math.floor(l.seq * (newest + 1));
  return { caller, conv, window: { direction: l.direction, seq } };
}

/** Calls listMessages and computes the reference in the same synchronous step. */
function listAndReference(w: World, l: List) {
  const { caller, conv, window } = windowOf(w, l);
  // listMessages does all its work before its first await: the reference, read right after,
  // sees the same committed state.
  const got = w.chat.listMessages(caller, conv, window, l.limit);
  const want = reference(w, caller, conv, window, l.limit);
  return { got, want, what: { caller, conv, window, limit: l.limit } };
}

async function checkList(w: World, l: List): Promise<void> {
  const { got, want, what } = listAndReference(w, l);
  await expectPage(got, want, what);
}

async function expectPage(
  got: ReturnType<ChatStore["listMessages"]>,
  want: { json: string; next: number | null },
  what: unknown,
): Promise<void> {
  const outcome = await got;
  if (!outcome.ok) throw new Error(`listMessages refused ${JSON.stringify(what)}`);
  const json = outcome.value.json;
  // Byte for byte: the tail's JSON must be exactly what serializing the rows gives.
  expect({ what, json, next: outcome.value.next }).toEqual({
    what,
    json: want.json,
    next: want.next,
  });
  expect(Array.isArray(JSON.parse(json))).toBe(true);
}

/** Seqs of every conversation are 1..n with no gap, and next_seq is n + 1. */
function expectGapFree(w: World): void {
  for (const conv of conversations) {
    const seqs = allRows(w, conv).map((v) => v[2]);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const { next_seq } = sql(w, "SELECT next_seq FROM conversations WHERE id = ?").get(conv) as {
      next_seq: number;
    };
    expect(next_seq).toBe(seqs.length + 1);
  }
}

/** The message to send, and whether its id is one already stored (so the send must fail). */
function newMessage(w: World, s: Send, conv: string): { message: NewMessage; dup: boolean } {
  let id = `msg_${String(++w.ids).padStart(8, "0")}`;
  let dup = false;
  if (s.duplicateId) {
    const any = sql(w, "SELECT id FROM messages LIMIT 1").pluck().get() as string | undefined;
    if (any !== undefined) {
      id = any;
      dup = true;
    }
  }
  let reply_to_id: string | null = null;
  if (s.reply === "missing") reply_to_id = "msg_missing";
  else if (s.reply !== null) reply_to_id = messageAt(w, conv, s.reply)?.[0] ?? null;
  const message: NewMessage = {
    id,
    content: s.content,
    content_type: "text/plain",
    reply_to_id,
    metadata: s.metadata,
  };
  return { message, dup };
}

function blockedEitherWay(w: World, a: string, b: string): boolean {
  return (
    sql(
      w,
      `SELECT 1 FROM blocks WHERE type = 'agent'
         AND ((blocker_id = ? AND target_id = ?) OR (blocker_id = ? AND target_id = ?))`,
    ).get(a, b, b, a) !== undefined
  );
}

async function runBurst(w: World, c: Extract<Command, { kind: "burst" }>): Promise<void> {
  if (c.editFirst)
    await runEdit(w, { kind: "edit", conv: 0, at: 0.99, content: "e", metadata: false });
  if (c.extFirst !== null) {
    await runCommand(w, { kind: "extUpdate", conv: 0, at: c.extFirst, content: "before burst" });
  }
  const before = Object.fromEntries(conversations.map((conv) => [conv, allRows(w, conv).length]));
  const now = ++w.now;
  const planned = c.sends.map((s) => {
    const conv = conversations[s.conv] as string;
    const members = membersOf(conv);
    const author = members[s.author % members.length] as string;
    const { message, dup } = newMessage(w, s, conv);
    return { conv, author, message, dup, promise: w.chat.sendMessage(author, conv, message, now) };
  });
  // Pages asked while the sends are queued (not yet committed) see the state before them.
  const pages = c.lists.map((l) => listAndReference(w, l));
  const blockedDirect = blockedEitherWay(w, "agt_a", "agt_b");
  const outcomes = await Promise.allSettled(planned.map((p) => p.promise));
  for (const p of pages) await expectPage(p.got, p.want, p.what);

  const stored: Record<string, number[]> = { [GROUP]: [], [DIRECT]: [] };
  outcomes.forEach((o, i) => {
    const p = planned[i] as (typeof planned)[number];
    const refused = (p.conv === DIRECT && blockedDirect) || p.message.reply_to_id === "msg_missing";
    if (p.dup && !refused) {
      // The insert fails on the unique message id: only this send rolls back (its seq too).
      expect(o.status).toBe("rejected");
      expect((o as PromiseRejectedResult).reason).toMatchObject({
        code: "SQLITE_CONSTRAINT_UNIQUE",
      });
      return;
    }
    expect(o.status).toBe("fulfilled");
    const outcome = (o as PromiseFulfilledResult<Awaited<typeof p.promise>>).value;
    if (p.conv === DIRECT && blockedDirect) {
      expect(outcome).toEqual({ ok: false, code: "blocked" });
      return;
    }
    if (p.message.reply_to_id === "msg_missing") {
      expect(outcome).toMatchObject({ ok: false, code: "invalid" });
      return;
    }
    if (!outcome.ok) throw new Error(`send refused: ${JSON.stringify(outcome)}`);
    expect(outcome.value.id).toBe(p.message.id);
    stored[p.conv]?.push(outcome.value.seq);
    // What the send answered is what the database holds.
    const row = sql(w, `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`)
      .raw(true)
      .get(p.message.id) as MessageValues;
    expect(JSON.stringify(outcome.value)).toBe(JSON.stringify(toMessageFromValues(row)));
  });
  // The batch's sends took consecutive seqs, in the order they were made, after the old newest.
  for (const conv of conversations) {
    const seqs = stored[conv] as number[];
    const start = (before[conv] as number) + 1;
    expect(seqs).toEqual(seqs.map((_, i) => start + i));
  }
  expectGapFree(w);
}

async function runEdit(w: World, c: Extract<Command, { kind: "edit" }>): Promise<void> {
  const conv = conversations[c.conv] as string;
  const target = messageAt(w, conv, c.at);
  if (target === undefined) return;
  const edit = c.metadata
    ? { content: c.content, metadata: { edited: true } }
    : { content: c.content };
  const outcome = await w.chat.editMessage(target[3], conv, target[0], edit, ++w.now);
  expect(outcome.ok).toBe(target[10] === null);
}

async function runCommand(w: World, c: Command): Promise<void> {
  switch (c.kind) {
    case "burst":
      return runBurst(w, c);
    case "edit":
      return runEdit(w, c);
    case "delete": {
      const conv = conversations[c.conv] as string;
      const target = messageAt(w, conv, c.at);
      if (target === undefined) return;
      const members = membersOf(conv);
      await w.chat.deleteMessage(
        members[c.caller % members.length] as string,
        conv,
        target[0],
        ++w.now,
      );
      return;
    }
    case "block": {
      if (c.blocker === c.target) return;
      const outcome = await w.blocks.blockAgent(
        agents[c.blocker] as string,
        agents[c.target] as string,
        `blk_${++w.ids}`,
        ++w.now,
      );
      expect(outcome.ok).toBe(true);
      return;
    }
    case "unblock":
      await w.blocks.unblockAgent(agents[c.blocker] as string, agents[c.target] as string);
      return;
    case "list":
      return checkList(w, c.list);
    case "walk": {
      // Follow `next` to the end: every page matches, and the pages together are every message.
      const conv = conversations[c.conv] as string;
      const members = membersOf(conv);
      const caller = members[c.caller % members.length] as string;
      let seq: number | null = null;
      const seen: number[] = [];
      for (let i = 0; i < 100_000; i++) {
        const window: MessageWindow = { direction: c.direction, seq };
        const want = reference(w, caller, conv, window, c.limit);
        const got = w.chat.listMessages(caller, conv, window, c.limit);
        await expectPage(got, want, { caller, conv, window, limit: c.limit });
        const outcome = await got;
        if (!outcome.ok) throw new Error("refused");
        for (const m of JSON.parse(outcome.value.json) as { seq: number }[]) seen.push(m.seq);
        if (outcome.value.next === null) break;
        seq = outcome.value.next;
      }
      const all = reference(w, caller, conv, { direction: c.direction, seq: null }, 1e9);
      expect(seen).toEqual((JSON.parse(all.json) as { seq: number }[]).map((m) => m.seq));
      return;
    }
    case "extUpdate": {
      const conv = conversations[c.conv] as string;
      const target = messageAt(w, conv, c.at);
      if (target === undefined || target[10] !== null) return;
      sql(w, "UPDATE messages SET content = ?, edited_at = ? WHERE id = ?").run(
        `external: ${c.content}`,
        ++w.now,
        target[0],
      );
      return;
    }
    case "extInsert": {
      // The way bench/src/seed.ts bulkMessages appends: rows with the next seqs, then next_seq.
      const conv = conversations[c.conv] as string;
      const members = membersOf(conv);
      const author = members[c.author % members.length] as string;
      const insert = sql(
        w,
        `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type,
           reply_to_id, metadata, created_at, edited_at, deleted_at)
         VALUES (?, ?, ?, ?, ?, 'text/plain', NULL, NULL, ?, NULL, NULL)`,
      );
      w.ext
        .transaction(() => {
          const { next_seq: from } = sql(w, "SELECT next_seq FROM conversations WHERE id = ?").get(
            conv,
          ) as { next_seq: number };
          const at = ++w.now;
          for (let seq = from; seq < from + c.count; seq++) {
            insert.run(`msg_ext_${++w.ids}`, conv, seq, author, `bulk message ${seq}`, at);
          }
          sql(
            w,
            "UPDATE conversations SET next_seq = ?, last_message_at = ?, activity_at = ? WHERE id = ?",
          ).run(from + c.count, at, at, conv);
        })
        .immediate();
      return;
    }
    case "extDelete": {
      // Another writer tombstones the newest message by hand.
      const conv = conversations[c.conv] as string;
      sql(
        w,
        `UPDATE messages SET content = NULL, metadata = NULL, deleted_at = ?
           WHERE id = (SELECT id FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT 1)`,
      ).run(++w.now, conv);
      return;
    }
  }
}

describe("message pages served through the tail", () => {
  it("equal the pages read by definition, for any mix of sends, edits, deletes, blocks and external writes", async () => {
    const stats: Stats = { tailPages: 0, tailMisses: 0, stores: 0, appends: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 40 }), async (commands) => {
        const w = await openWorld();
        try {
          for (const c of commands) {
            await runCommand(w, c);
          }
          // At the end, the newest page of each conversation for every member.
          for (const conv of [0, 1]) {
            for (const caller of [0, 1, 2]) {
              await checkList(w, { caller, conv, direction: "desc", seq: null, limit: 5 });
            }
          }
        } finally {
          closeWorld(w);
          for (const k of Object.keys(stats) as (keyof Stats)[]) stats[k] += w.tails.stats[k];
        }
      }),
      { numRuns: 100 },
    );
    // The runs went through every path: pages from the tail, refusals, refills, appends.
    expect(stats.tailPages).toBeGreaterThan(100);
    expect(stats.tailMisses).toBeGreaterThan(10);
    expect(stats.stores).toBeGreaterThan(10);
    expect(stats.appends).toBeGreaterThan(50);
  });

  it("stays right through a long run of concurrent sends past the tail's size", async () => {
    const w = await openWorld();
    try {
      const tailsCheck = async () => {
        for (const caller of agents) {
          for (const direction of ["asc", "desc"] as const) {
            for (const seq of [null, 0, 3, 20, 40, 55, 60, 75, 1000]) {
              for (const limit of [1, 4, 9, 30]) {
                const window = { direction, seq: direction === "asc" && seq === null ? 0 : seq };
                const want = reference(w, caller, GROUP, window, limit);
                await expectPage(w.chat.listMessages(caller, GROUP, window, limit), want, {
                  caller,
                  window,
                  limit,
                });
              }
            }
          }
        }
      };
      await tailsCheck(); // empty conversation, complete empty tail
      for (let round = 0; round < 8; round++) {
        // Read first, so the tail is current and the burst extends it (and trims it past 16).
        await expectPage(
          w.chat.listMessages("agt_a", GROUP, { direction: "desc", seq: null }, 3),
          reference(w, "agt_a", GROUP, { direction: "desc", seq: null }, 3),
          "warm",
        );
        const storesBefore = w.tails.stats.stores;
        const now = ++w.now;
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            w.chat.sendMessage(
              agents[i % 3] as string,
              GROUP,
              {
                id: `msg_r${round}_${i}`,
                content: `round ${round} message ${i}`,
                content_type: "text/plain",
                reply_to_id: null,
                metadata: i % 2 === 0 ? { i } : null,
              },
              now,
            ),
          ),
        );
        expect(results.map((r) => (r.ok ? r.value.seq : -1))).toEqual(
          Array.from({ length: 10 }, (_, i) => round * 10 + i + 1),
        );
        expectGapFree(w);
        // The burst extended the current tail after its commit: the newest page comes from it
        // without re-reading the tail from the database.
        await expectPage(
          w.chat.listMessages("agt_c", GROUP, { direction: "desc", seq: null }, 5),
          reference(w, "agt_c", GROUP, { direction: "desc", seq: null }, 5),
          "after burst",
        );
        expect(w.tails.stats.stores).toBe(storesBefore);
        if (round === 3) {
          await w.blocks.blockAgent("agt_a", "agt_b", "blk_long", ++w.now);
        }
        await tailsCheck();
      }
    } finally {
      closeWorld(w);
    }
  });
});
