/**
 * Evidence for the decision NOT to replace the PostgreSQL feed's position lock with transaction
 * ids (see apps/server/README.md, Events, "Positions and cursors"). Two checks on a real server:
 *
 * 1. xid order vs `seq` order. `senders` concurrent transactions bump one conversation's
 *    `next_seq` with the statement `sendMessage` uses, each reading back its seq and its
 *    `pg_current_xact_id()`. Ordering events by (xid, position) is consistent with `seq` only if
 *    no later seq ever has a smaller xid; this counts the pairs of consecutive seqs that are
 *    inverted (PostgreSQL assigns the xid at the top of `heap_update`, before the row-lock wait).
 * 2. `pg_snapshot_xmin(pg_current_snapshot())` is cluster-wide: one idle transaction holding an
 *    xid in ANOTHER database holds back the cut-off of this one for as long as it stays open.
 *
 * Run: `pnpm --filter @fluxra/bench exec tsx src/events/pg-xid-order.ts [url]`.
 */
import { createPostgresStore } from "@fluxra/server";

export interface XidOrderResult {
  senders: number;
  transactions: number;
  /** Consecutive seqs (n, n+1) whose top-level xids are in the other order. */
  inversions: number;
  /**
   * The same count for the xid of a subtransaction (SAVEPOINT) opened after the row lock, read
   * as the `xmin` of a row it inserts and widened to 64 bits against `pg_current_xact_id()`.
   */
  subxactInversions: number;
  /** Whether an idle transaction in another database held this database's xmin cut-off. */
  foreignTransactionHeldCutoff: boolean;
}

export async function measureXidOrder(
  url: string,
  senders: number,
  seconds: number,
): Promise<XidOrderResult> {
  const store = createPostgresStore(url, {
    maxConnections: senders + 2,
    schema: "bench_xid_order",
  });
  const other = new URL(url);
  other.pathname = other.pathname === "/postgres" ? "/test" : "/postgres";
  const foreign = createPostgresStore(other.toString(), { maxConnections: 2 });
  try {
    await store.ready();
    await store.db.query("CREATE TABLE xid_probe (n INTEGER)");
    await store.db.query(
      `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at,
         created_at, updated_at) VALUES ('cnv_x', 'group', 't', 'agt_x', 1, 0, 0, 0)`,
    );
    const seen: { seq: number; xid: bigint; sub: bigint }[] = [];
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: senders }, async () => {
        while (performance.now() < end) {
          const row = await store.db.tx(async (q) => {
            const [r] = await q<{ seq: number; xid: string }>(
              `UPDATE conversations SET next_seq = next_seq + 1, last_message_at = $1,
                 activity_at = $1 WHERE id = 'cnv_x'
               RETURNING next_seq - 1 AS seq, pg_current_xact_id()::text AS xid`,
              [Date.now()],
            );
            await q("SAVEPOINT ev");
            const [p] = await q<{ sub: string }>(
              `INSERT INTO xid_probe VALUES (1) RETURNING (pg_current_xact_id()::text::numeric
                 + ((xmin::text::bigint - (pg_current_xact_id()::text::numeric % 4294967296)
                     + 4294967296) % 4294967296))::text AS sub`,
            );
            await q("RELEASE SAVEPOINT ev");
            return { ...(r as { seq: number; xid: string }), sub: (p as { sub: string }).sub };
          });
          seen.push({ seq: Number(row.seq), xid: BigInt(row.xid), sub: BigInt(row.sub) });
        }
      }),
    );
    seen.sort((a, b) => a.seq - b.seq);
    let inversions = 0;
    let subxactInversions = 0;
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1], seen[i]] as [(typeof seen)[0], (typeof seen)[0]];
      if (b.xid < a.xid) inversions++;
      if (b.sub <= a.sub || b.sub <= b.xid) subxactInversions++;
    }

    // 2. An idle transaction with an xid in the other database.
    const idle = foreign.db.dedicatedClient();
    await idle.connect();
    let held = false;
    try {
      await idle.query("BEGIN");
      const { rows } = await idle.query<{ xid: string }>(
        "SELECT pg_current_xact_id()::text AS xid",
      );
      const foreignXid = BigInt((rows[0] as { xid: string }).xid);
      // Commit some work here meanwhile: the cut-off must still not pass the idle transaction.
      for (let i = 0; i < 5; i++) {
        await store.db.tx((q) => q("UPDATE conversations SET activity_at = 1 WHERE id = 'cnv_x'"));
      }
      const [cut] = await store.db.query<{ xmin: string }>(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin",
      );
      held = BigInt((cut as { xmin: string }).xmin) <= foreignXid;
    } finally {
      await idle.query("ROLLBACK").catch(() => {});
      await idle.end();
    }
    return {
      senders,
      transactions: seen.length,
      inversions,
      subxactInversions,
      foreignTransactionHeldCutoff: held,
    };
  } finally {
    await store.db.query("DROP SCHEMA IF EXISTS bench_xid_order CASCADE").catch(() => {});
    await store.close();
    await foreign.close();
  }
}

/** Send-shaped transactions per second, one mode, for the throughput comparison below. */
export interface XidModeRow {
  senders: number;
  /** seq bump, schema-wide advisory lock, event insert (today's position lock). */
  lockPerSecond: number;
  /** seq bump, SAVEPOINT, event insert, its position set to the subtransaction's xid, RELEASE. */
  subxactPerSecond: number;
  /** seq bump and event insert only: no ordering at all (the ceiling). */
  nonePerSecond: number;
}

/**
 * The write side of the subtransaction-xid design against today's lock, raw SQL on the real
 * server (no feed, no NOTIFY): each sender in its own conversation, rounds alternating A/B/C.
 */
export async function measureXidModes(
  url: string,
  senders: number,
  seconds: number,
  rounds: number,
): Promise<XidModeRow> {
  const store = createPostgresStore(url, {
    maxConnections: senders + 2,
    schema: "bench_xid_modes",
  });
  try {
    await store.ready();
    await store.db.query(
      "CREATE TABLE ev (pos BIGINT PRIMARY KEY, conversation_id TEXT, data TEXT); CREATE SEQUENCE ev_tmp",
    );
    await store.db.query(
      `INSERT INTO conversations (id, type, title, created_by, member_count, activity_at,
         created_at, updated_at)
       SELECT 'cnv_' || g, 'group', 't', 'agt_x', 1, 0, 0, 0 FROM generate_series(0, $1) g`,
      [senders],
    );
    const bump = "UPDATE conversations SET next_seq = next_seq + 1 WHERE id = $1";
    const modes = {
      lock: async (q: Parameters<Parameters<typeof store.db.tx>[0]>[0], c: string) => {
        await q(bump, [c]);
        await q("SELECT pg_advisory_xact_lock(7391, hashtext(current_schema()))");
        await q("INSERT INTO ev VALUES (nextval('ev_tmp'), $1, 'x')", [c]);
      },
      subxact: async (q: Parameters<Parameters<typeof store.db.tx>[0]>[0], c: string) => {
        await q(bump, [c]);
        await q("SAVEPOINT ev");
        const [r] = await q<{ pos: string; sub: string }>(
          `INSERT INTO ev VALUES (-nextval('ev_tmp'), $1, 'x') RETURNING pos::text,
             (pg_current_xact_id()::text::numeric + ((xmin::text::bigint
               - (pg_current_xact_id()::text::numeric % 4294967296) + 4294967296) % 4294967296)
             )::text AS sub`,
          [c],
        );
        const row = r as { pos: string; sub: string };
        await q("UPDATE ev SET pos = $2 WHERE pos = $1", [row.pos, row.sub]);
        await q("RELEASE SAVEPOINT ev");
      },
      none: async (q: Parameters<Parameters<typeof store.db.tx>[0]>[0], c: string) => {
        await q(bump, [c]);
        await q("INSERT INTO ev VALUES (nextval('ev_tmp'), $1, 'x')", [c]);
      },
    };
    const run = async (mode: keyof typeof modes) => {
      let count = 0;
      const end = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: senders }, async (_, s) => {
          while (performance.now() < end) {
            await store.db.tx((q) => modes[mode](q, `cnv_${s}`));
            count++;
          }
        }),
      );
      return count / seconds;
    };
    const sum = { lock: 0, subxact: 0, none: 0 };
    for (const mode of ["lock", "subxact", "none"] as const) await run(mode); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const mode of ["lock", "subxact", "none"] as const) sum[mode] += await run(mode);
    }
    return {
      senders,
      lockPerSecond: sum.lock / rounds,
      subxactPerSecond: sum.subxact / rounds,
      nonePerSecond: sum.none / rounds,
    };
  } finally {
    await store.db.query("DROP SCHEMA IF EXISTS bench_xid_modes CASCADE").catch(() => {});
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[2] ?? "postgres://postgres@127.0.0.1:5432/test";
  for (const senders of [2, 16]) {
    const r = await measureXidOrder(url, senders, 5);
    console.log(JSON.stringify(r));
  }
  for (const senders of [1, 16])
    console.log(JSON.stringify(await measureXidModes(url, senders, 3, 3)));
}
