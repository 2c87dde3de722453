/**
 * What the PostgreSQL feed's position lock costs (`pg_advisory_xact_lock`, taken by every
 * transaction that writes events and held to COMMIT, so positions become visible in commit
 * order). Store level, in-process: real `sendMessage` calls (message row, seq bump, events and
 * their NOTIFY) from concurrent senders, each in its own conversation so no row lock serializes
 * them, on two stores of one fresh database: one as shipped, one with the lock dropped through
 * the bench-only switch. Rounds alternate between the two (ABAB…) so drift hits both alike.
 */
import { createPostgresStore } from "@fluxra/server";
// Internal: the bench-only switch lives beside the lock it removes.
import { dropPositionLockForBench } from "../../../apps/server/src/domains/events/postgres-store.js";

/** Sends per second with and without the lock, for one number of concurrent senders. */
export interface LockCostRow {
  senders: number;
  lockedPerSecond: number;
  unlockedPerSecond: number;
  /** locked ÷ unlocked: 1 means the lock costs nothing. */
  ratio: number;
}

const id = (prefix: string, i: number) => `${prefix}_${String(i).padStart(26, "0")}`;

/**
 * Measures `senders` concurrent senders for `seconds` per round, `rounds` rounds per mode, on
 * the database at `url` (schemas `bench_lock_on`/`bench_lock_off` are created there).
 */
export async function measurePgLockCost(
  url: string,
  sendersList: number[],
  seconds: number,
  rounds: number,
): Promise<LockCostRow[]> {
  const maxSenders = Math.max(...sendersList);
  const pool = { maxConnections: maxSenders + 2 };
  const locked = createPostgresStore(url, { ...pool, schema: "bench_lock_on" });
  const unlocked = createPostgresStore(url, { ...pool, schema: "bench_lock_off" });
  dropPositionLockForBench(unlocked.db);
  const rows: LockCostRow[] = [];
  try {
    for (const store of [locked, unlocked]) {
      await store.ready();
      await store.db.tx(async (q) => {
        for (let c = 0; c < maxSenders; c++) {
          await q(
            `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at,
               created_at, updated_at) VALUES (@id, 'group', 't', @owner, 2, 0, 0, 0)`,
            { id: id("cnv", c), owner: id("agt", 0) },
          );
          for (const [a, role] of [
            [0, "owner"],
            [1, "member"],
          ] as const) {
            await q(
              `INSERT INTO conversation_members (conversation_id, agent_id, role, joined_at)
               VALUES (@c, @a, @role, 0)`,
              { c: id("cnv", c), a: id("agt", a), role },
            );
          }
        }
      });
    }
    let serial = 0;
    const run = async (store: typeof locked, senders: number) => {
      let count = 0;
      const end = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: senders }, async (_, s) => {
          while (performance.now() < end) {
            const message = {
              id: id("msg", ++serial),
              content: "hello",
              content_type: "text/plain" as const,
              reply_to_id: null,
              metadata: null,
            };
            const out = await store.chat.sendMessage(
              id("agt", 1),
              id("cnv", s),
              message,
              Date.now(),
            );
            if (!out.ok) throw new Error(`send refused: ${JSON.stringify(out)}`);
            count++;
          }
        }),
      );
      return count / seconds;
    };
    for (const senders of sendersList) {
      await run(locked, senders); // warm-up of both pools
      await run(unlocked, senders);
      let on = 0;
      let off = 0;
      for (let r = 0; r < rounds; r++) {
        on += await run(locked, senders);
        off += await run(unlocked, senders);
      }
      rows.push({
        senders,
        lockedPerSecond: on / rounds,
        unlockedPerSecond: off / rounds,
        ratio: on / off,
      });
    }
  } finally {
    for (const store of [locked, unlocked]) {
      await store.db.query(`DROP SCHEMA IF EXISTS ${store.db.schema} CASCADE`).catch(() => {});
      await store.close();
    }
  }
  return rows;
}
