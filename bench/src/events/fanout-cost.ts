/**
 * Store-level cost of the event fan-out on the send path, SQLite, in-process (the "store floor"
 * of the Events bench): a real `sendMessage` (message row, seq bump, unread triggers, and its
 * event) on 2- and 100-member groups, and, isolated in one write transaction each, the two
 * designs: one `events` row (AUTOINCREMENT, index by time) plus one INSERT … SELECT of
 * per-recipient rows (PostgreSQL's, and SQLite's before events migration 20261207T0810; rebuilt
 * here in scratch tables), versus one `events` row with its recipients resolved into the row by
 * the same rule (SQLite's now).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createSqliteStore } from "@fluxra/server";
// Internal SQL of the server's Events domain, so the bench measures exactly what it runs.
import {
  EVENT_INSERT_SQL,
  eventValues,
  RECIPIENTS_SQL,
} from "../../../apps/server/src/domains/events/rules.js";
import { MEMBERS_EVENT_SQL } from "../../../apps/server/src/domains/events/sqlite-store.js";

/** The per-recipient design's tables, as SQLite had them before they moved into the row. */
const SCRATCH_TABLES = `
CREATE TABLE per_recipient_events (pos INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL,
  type TEXT NOT NULL, conversation_id TEXT NOT NULL, created_at INTEGER NOT NULL,
  data TEXT NOT NULL) STRICT;
CREATE INDEX per_recipient_events_by_time ON per_recipient_events (created_at);
CREATE TABLE per_recipient_rows (pos INTEGER NOT NULL, agent_id TEXT NOT NULL,
  PRIMARY KEY (pos, agent_id)) STRICT, WITHOUT ROWID;`;
const scratch = (sql: string) =>
  sql
    .replace("INSERT INTO events ", "INSERT INTO per_recipient_events ")
    .replace("INSERT INTO event_recipients ", "INSERT INTO per_recipient_rows ");

/** µs per operation for each design and member count. */
export interface FanoutCost {
  members: number;
  sendUs: number;
  perRecipientUs: number;
  perConversationUs: number;
}

const agent = (i: number) => `agt_${String(i).padStart(26, "0")}`;

export async function measureFanoutCost(iterations: number): Promise<FanoutCost[]> {
  const dir = mkdtempSync(join(os.tmpdir(), "fluxra-fanout-"));
  const store = createSqliteStore(join(dir, "fanout.db"));
  const { db } = store;
  db.raw.exec(SCRATCH_TABLES);
  const out: FanoutCost[] = [];
  try {
    for (const members of [2, 100]) {
      const conv = `cnv_${String(members).padStart(26, "0")}`;
      db.write(() => {
        db.stmt(
          `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at,
             created_at, updated_at) VALUES (?, 'group', 't', ?, ?, 0, 0, 0)`,
        ).run(conv, agent(0), members);
        for (let i = 0; i < members; i++) {
          db.stmt(
            `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
             VALUES (?, ?, ?, 0)`,
          ).run(conv, agent(i), i === 0 ? "owner" : "member");
        }
      });
      const message = {
        id: "",
        content: "hello",
        content_type: "text/plain" as const,
        reply_to_id: null,
        metadata: null,
      };
      let t0 = performance.now();
      for (let i = 0; i < iterations; i++) {
        const id = `msg_${String(members * 1_000_000 + i).padStart(26, "0")}`;
        await store.chat.sendMessage(agent(1), conv, { ...message, id }, Date.now());
      }
      const sendUs = ((performance.now() - t0) * 1000) / iterations;
      const data = { id: "msg", content: "hello" };
      t0 = performance.now();
      for (let i = 0; i < iterations; i++) {
        db.write(() => {
          const values = eventValues("message.created", conv, data, Date.now());
          const { pos } = db.stmt(scratch(EVENT_INSERT_SQL)).get(values) as { pos: number };
          db.stmt(scratch(RECIPIENTS_SQL)).all({
            pos,
            conversation: conv,
            author: agent(1),
            also: null,
          });
        });
      }
      const perRecipientUs = ((performance.now() - t0) * 1000) / iterations;
      t0 = performance.now();
      for (let i = 0; i < iterations; i++) {
        db.write(() => {
          const values = eventValues("message.created", conv, data, Date.now());
          db.stmt(MEMBERS_EVENT_SQL).get({ ...values, author: agent(1), also: null });
        });
      }
      const perConversationUs = ((performance.now() - t0) * 1000) / iterations;
      out.push({ members, sendUs, perRecipientUs, perConversationUs });
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
