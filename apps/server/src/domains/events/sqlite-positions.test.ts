import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findMigrations } from "../../storage/migrations.js";
import { createSqliteStore } from "../../storage/sqlite/index.js";
import { sqliteEvents } from "./sqlite-store.js";

// Events keep their recipients in their own row on SQLite (migration
// 20261207T0810_events_recipients_inline), with `pos` the rowid instead of an AUTOINCREMENT key.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fluxra-event-positions-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const draft = (text: string, now: number) => ({
  type: "read.updated" as const,
  conversationId: "cnv_1",
  data: { text },
  now,
});

describe("SQLite event positions", () => {
  it("never hands a position out twice, even after every event was swept", async () => {
    const store = createSqliteStore(join(dir, "events.db"));
    const { writer } = sqliteEvents(store.db);
    store.db.write(() => {
      writer.toAgent("agt_a", draft("one", 1_000));
      writer.toAgent("agt_a", draft("two", 2_000));
    });
    const head = await store.events.head();
    expect(await store.events.sweep(10_000)).toBe(2);
    expect(await store.events.horizon()).toBe(head);
    // Nothing left to sweep: an idle sweep removes (and writes) nothing.
    const version = store.db.raw.prepare("SELECT total_changes()").pluck().get();
    expect(await store.events.sweep(10_000)).toBe(0);
    expect(store.db.raw.prepare("SELECT total_changes()").pluck().get()).toBe(version);
    store.db.write(() => writer.toAgent("agt_a", draft("three", 20_000)));
    expect(await store.events.head()).toBe(head + 1);
    // The cursor at the old head resumes with exactly the new event.
    const page = await store.events.page("agt_a", head, 10);
    expect(page.events.map((e) => [e.pos, JSON.parse(e.json).data.text])).toEqual([
      [head + 1, "three"],
    ]);
    expect((await store.events.page("agt_b", 0, 10)).events).toEqual([]);
    await store.close();
  });

  it("sweeps only the oldest prefix, in slices, and keeps every event past the window", async () => {
    const store = createSqliteStore(join(dir, "events.db"));
    const { writer } = sqliteEvents(store.db);
    store.db.write(() => {
      for (let i = 0; i < 4500; i++) writer.toAgent("agt_a", draft(`old ${i}`, 1_000 + i));
      writer.toAgent("agt_a", draft("new", 50_000));
    });
    expect(await store.events.sweep(10_000)).toBe(4500);
    const left = await store.events.page("agt_a", 0, 10);
    expect(left.events.map((e) => JSON.parse(e.json).data.text)).toEqual(["new"]);
    await store.close();
  });

  it("moves events and their recipients from the per-recipient table, keeping positions", async () => {
    const path = join(dir, "upgrade.db");
    const before = findMigrations("sqlite").filter((m) => m.name < "20261207T0810");
    const old = createSqliteStore(path, { migrations: before });
    await old.close();
    const raw = new Database(path);
    raw.exec(`
      INSERT INTO events (pos, id, type, conversation_id, created_at, data) VALUES
        (1, 'evt_1', 'message.created', 'cnv_1', 1, '{"n":1}'),
        (2, 'evt_2', 'message.created', 'cnv_1', 2, '{"n":2}'),
        (3, 'evt_3', 'read.updated', 'cnv_1', 3, '{"n":3}');
      INSERT INTO event_recipients (pos, agent_id) VALUES
        (1, 'agt_a'), (1, 'agt_b'), (2, 'agt_b'), (3, 'agt_a');
      -- Positions 4 and 5 were handed out, then swept.
      UPDATE sqlite_sequence SET seq = 5 WHERE name = 'events';
      UPDATE events_horizon SET swept_through = 0;`);
    raw.close();
    const store = createSqliteStore(path);
    const texts = async (agent: string) =>
      (await store.events.page(agent, 0, 10)).events.map((e) => [e.pos, JSON.parse(e.json).data]);
    expect(await texts("agt_a")).toEqual([
      [1, { n: 1 }],
      [3, { n: 3 }],
    ]);
    expect(await texts("agt_b")).toEqual([
      [1, { n: 1 }],
      [2, { n: 2 }],
    ]);
    expect(await store.events.head()).toBe(5);
    store.db.write(() => sqliteEvents(store.db).writer.toAgent("agt_b", draft("next", 9)));
    expect((await store.events.page("agt_b", 5, 10)).events.map((e) => e.pos)).toEqual([6]);
    await store.close();
  });
});
