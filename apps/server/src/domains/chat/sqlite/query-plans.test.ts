import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteDatabase } from "../../../storage/sqlite/database.js";
import {
  LAST_VISIBLE_MESSAGE_SQL,
  MESSAGE_PAGE_ASC_SQL,
  MESSAGE_PAGE_DESC_SQL,
  UNREAD_BUCKETS_SQL,
  UNREAD_EXCLUDED_SQL,
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
  const params = { id: "cnv_x", seq: 10, edge: 1024, bucket: 1, caller: "agt_x", limit: 50 };
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

  it("sums whole buckets by primary key, per excluded author", () => {
    expect(plan(UNREAD_BUCKETS_SQL).join("\n")).toMatch(
      /SEARCH message_counts USING PRIMARY KEY \(conversation_id=\? AND bucket>\?\)/,
    );
    const excluded = plan(UNREAD_EXCLUDED_SQL).join("\n");
    expect(excluded).toMatch(
      /SEARCH message_author_counts USING PRIMARY KEY \(conversation_id=\? AND author_id=\? AND bucket>\?\)/,
    );
    expect(excluded).not.toMatch(/SCAN message/);
  });
});
