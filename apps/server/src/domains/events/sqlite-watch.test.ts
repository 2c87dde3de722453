import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBackend } from "../../storage/postgres/test-store.js";
import { createSqliteStore, type SqliteStore } from "../../storage/sqlite/index.js";
import type { Wake } from "./store.js";

// Two stores on one file in one process: two connections, so each sees the other's commits only
// as another connection's (as another process would), never through the in-process wake-up.
const dir = mkdtempSync(join(tmpdir(), "fluxra-events-watch-"));
let reader: SqliteStore;
let writer: SqliteStore;
const agent = (i: number) => `agt_${String(i).padStart(26, "0")}`;
const conversation = `cnv_${"0".repeat(26)}`;
let serial = 0;

const send = () =>
  writer.chat.sendMessage(
    agent(1),
    conversation,
    {
      id: `msg_${String(++serial).padStart(26, "0")}`,
      content: `hello ${serial}`,
      content_type: "text/plain",
      reply_to_id: null,
      metadata: null,
    },
    Date.now(),
  );

/** Wakes the reader's listener reported within `ms`. */
async function wakesWithin(ms: number, act: () => Promise<unknown>): Promise<Wake[]> {
  const seen: Wake[] = [];
  const off = reader.events.subscribe((w) => seen.push(w));
  try {
    await act();
    await new Promise((r) => setTimeout(r, ms));
    return seen;
  } finally {
    off();
  }
}

describe.skipIf(testBackend === "postgres")("SQLite: other connections' commits", () => {
  beforeAll(() => {
    const file = join(dir, "shared.db");
    writer = createSqliteStore(file);
    reader = createSqliteStore(file);
    writer.db.write(() => {
      writer.db
        .stmt(
          `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at,
             created_at, updated_at) VALUES (?, 'group', 't', ?, 3, 0, 0, 0)`,
        )
        .run(conversation, agent(0));
      for (const i of [0, 1, 2]) {
        writer.db
          .stmt(
            `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
             VALUES (?, ?, ?, 0)`,
          )
          .run(conversation, agent(i), i === 0 ? "owner" : "member");
      }
    });
  });
  afterAll(async () => {
    await reader.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("wakes exactly the recipients of another connection's events while watching", async () => {
    reader.events.watch?.(true);
    try {
      const seen = await wakesWithin(500, async () => {
        expect((await send()).ok).toBe(true);
      });
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen.flat())).toEqual(new Set([agent(0), agent(1), agent(2)]));
    } finally {
      reader.events.watch?.(false);
    }
  });

  it("backs off while the file is quiet, and still notices the next commit", async () => {
    const real = reader.db.dataVersion.bind(reader.db);
    let looks = 0;
    reader.db.dataVersion = () => {
      looks++;
      return real();
    };
    reader.events.watch?.(true);
    try {
      await new Promise((r) => setTimeout(r, 1000));
      // Every 10 ms this would be ~100 looks; backing off to 100 ms makes it ~13.
      expect(looks).toBeGreaterThan(3);
      expect(looks).toBeLessThan(30);
      const seen = await wakesWithin(500, async () => {
        expect((await send()).ok).toBe(true);
      });
      expect(new Set(seen.flat())).toEqual(new Set([agent(0), agent(1), agent(2)]));
    } finally {
      reader.events.watch?.(false);
      reader.db.dataVersion = real;
    }
  });

  it("does not look at the file once nothing is held", async () => {
    reader.events.watch?.(true);
    reader.events.watch?.(false);
    const seen = await wakesWithin(150, async () => {
      expect((await send()).ok).toBe(true);
    });
    expect(seen).toEqual([]);
  });

  it("keeps watching while any of several holders remains, and sees each commit once", async () => {
    reader.events.watch?.(true);
    reader.events.watch?.(true);
    reader.events.watch?.(false);
    try {
      const seen = await wakesWithin(500, async () => {
        expect((await send()).ok).toBe(true);
        expect((await send()).ok).toBe(true);
      });
      // Both sends' recipients, and no position announced twice over the window.
      expect(seen.flat().filter((a) => a === agent(2)).length).toBeLessThanOrEqual(2);
      expect(seen.flat()).toContain(agent(2));
    } finally {
      reader.events.watch?.(false);
    }
  });
});
