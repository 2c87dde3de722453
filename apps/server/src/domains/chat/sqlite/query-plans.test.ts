import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteDatabase } from "../../../storage/sqlite/database.js";
import {
  AUTHOR_WROTE_SQL,
  LAST_VISIBLE_MESSAGE_SQL,
  MESSAGE_PAGE_ASC_SQL,
  MESSAGE_PAGE_DESC_SQL,
  UNREAD_BUCKETS_SQL,
  UNREAD_PARTIAL_SQL,
} from "./sql.js";

// Query plans instead of timings: a plan that searches by (conversation_id, seq) costs what the
// page returns at any table size, while a SCAN or a temp B-tree for ORDER BY grows with it.
const dir = mkdtempSync(join(tmpdir(), "fluxra-chat-plans-"));
const db = new SqliteDatabase(join(dir, "plans.db"));
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function plan(sql: string): string[] {
  const params = {
    id: "cnv_x",
    seq: 10,
    edge: 1024,
    bucket: 1,
    caller: "agt_x",
    author: "agt_y",
    limit: 50,
  };
  const rows = db.raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
  return rows.map((r) => r.detail);
}

describe("chat query plans stay index-bound", () => {
  it.each([
    ["newest-first page", MESSAGE_PAGE_DESC_SQL],
    ["oldest-first page", MESSAGE_PAGE_ASC_SQL],
    ["last visible message", LAST_VISIBLE_MESSAGE_SQL],
  ])("%s walks messages by their key (conversation_id, seq) with no sort step", (_name, sql) => {
    // Messages are clustered by that key (chat migration 20261207T0900): the table is the index.
    const steps = plan(sql);
    expect(
      steps.some((s) => /SEARCH messages USING PRIMARY KEY \(conversation_id=\?/.test(s)),
    ).toBe(true);
    expect(steps.filter((s) => /SCAN messages|TEMP B-TREE/.test(s))).toEqual([]);
  });

  it("counts the marker's partial bucket from that key range (at most 1,023 rows)", () => {
    const steps = plan(UNREAD_PARTIAL_SQL);
    expect(steps).toContain(
      "SEARCH messages USING PRIMARY KEY (conversation_id=? AND seq>? AND seq<?)",
    );
    expect(steps.filter((s) => /SCAN/.test(s))).toEqual([]);
  });

  it("sums whole buckets by primary key: the key range after the marker's bucket, every author in it", () => {
    const steps = plan(UNREAD_BUCKETS_SQL).join("\n");
    expect(steps).toMatch(
      /SEARCH message_bucket_counts USING PRIMARY KEY \(conversation_id=\? AND bucket>\?\)/,
    );
    expect(steps).not.toMatch(/SCAN message/);
  });

  it("finds whether an author wrote in a conversation by the author index, not a scan of its buckets", () => {
    expect(plan(AUTHOR_WROTE_SQL)).toEqual([
      "SEARCH message_bucket_counts USING COVERING INDEX message_bucket_counts_by_author (author_id=? AND conversation_id=?)",
    ]);
  });

  it.each([
    [
      "a send's INSERT",
      `INSERT INTO messages (id, conversation_id, seq, author_id, content, content_type,
         created_at) VALUES ('msg_x', 'cnv_x', 1, 'agt_x', 'x', 'text/plain', 0)`,
    ],
    [
      "a tombstone",
      "UPDATE messages SET content = NULL, deleted_at = 1 WHERE id = 'msg_x' AND conversation_id = 'cnv_x'",
    ],
  ])(
    "%s and its triggers update member rows in one pass: no ephemeral table (chat migration 20261207T1500)",
    (_name, sql) => {
      // EXPLAIN lists the trigger sub-programs too. A subquery in an UPDATE's WHERE makes SQLite
      // collect the matching keys in an ephemeral table first, on every send.
      const opcodes = db.raw.prepare(`EXPLAIN ${sql}`).all() as { opcode: string; p4: unknown }[];
      expect(opcodes.some((o) => o.opcode === "Program")).toBe(true);
      expect(opcodes.filter((o) => o.opcode === "OpenEphemeral")).toEqual([]);
    },
  );
});
