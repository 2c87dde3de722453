import type { IdempotencyClaim, IdempotencyScope, PlatformStore } from "../../platform/store.js";
import {
  type IdempotencyRow,
  idempotencyKeyArgs as keyArgs,
  mayTakeOverIdempotencyKey,
  toIdempotencyRecord,
} from "../shared/idempotency-rows.js";
import type { SqliteDatabase } from "./database.js";

const keyWhere = "caller = ? AND method = ? AND path = ? AND key = ?";
/**
 * A claim row stays as inserted; its response is appended to `idempotency_responses` under its
 * rid (growing the row in place rebalanced the newest pages at every commit, see the migration
 * 20261207T1230). A claim without a response is in progress.
 */
const CLAIM_IDEMPOTENCY_SQL = `INSERT INTO idempotency_keys
  (caller, method, path, key, request_hash, status, body, headers, created_at, locked_at)
  VALUES (?, ?, ?, ?, ?, NULL, NULL, '{}', ?, ?) ON CONFLICT DO NOTHING`;
const SELECT_IDEMPOTENCY_SQL = `SELECT k.rid, k.request_hash, r.status, r.body,
  coalesce(r.headers, '{}') AS headers, k.created_at, k.locked_at
  FROM idempotency_keys k LEFT JOIN idempotency_responses r ON r.rid = k.rid
  WHERE k.caller = ? AND k.method = ? AND k.path = ? AND k.key = ?`;
const COMPLETE_IDEMPOTENCY_SQL = `INSERT INTO idempotency_responses (rid, status, body, headers)
  SELECT rid, ?, ?, ? FROM idempotency_keys WHERE ${keyWhere}
  ON CONFLICT (rid) DO UPDATE SET
    status = excluded.status, body = excluded.body, headers = excluded.headers`;

/** SQLite implementation of {@link PlatformStore}. */
export class SqlitePlatformStore implements PlatformStore {
  constructor(private readonly db: SqliteDatabase) {}

  async ping(): Promise<void> {
    this.db.stmt("SELECT name FROM applied_migrations LIMIT 1").get();
  }

  async getOrCreateSecret(name: string, candidate: string, now: number): Promise<string> {
    return this.db.write(() => {
      this.db
        .stmt(
          "INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
        )
        .run(name, candidate, now);
      const row = this.db.stmt("SELECT value FROM server_secrets WHERE name = ?").get(name) as {
        value: string;
      };
      return row.value;
    });
  }

  // The platform's own tables change no cached chat state: its writes are declared (see
  // SqliteDatabase.declaredChanges), so a rate-limited request keeps the chat caches warm.
  async hitRateLimit(bucket: string, windowStart: number): Promise<number> {
    const row = this.db.declaredChanges(() =>
      this.db
        .stmt(
          `INSERT INTO rate_limits (bucket, window_start, count) VALUES (?, ?, 1)
         ON CONFLICT (bucket) DO UPDATE SET
           count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END,
           window_start = excluded.window_start
         RETURNING count`,
        )
        .get(bucket, windowStart),
    ) as { count: number };
    return row.count;
  }

  async claimIdempotencyKey(
    scope: IdempotencyScope,
    requestHash: string,
    now: number,
    expiresBefore: number,
    staleBefore: number,
  ): Promise<IdempotencyClaim> {
    // Group-committed: a keyed POST claims and completes its key in the same batched commits as
    // the writes around it, instead of two commits of its own.
    return this.db.writeBatched(() =>
      this.db.declaredChanges((): IdempotencyClaim => {
        // Insert first: a fresh key (nearly every claim) costs one index seek, not two. Inside
        // IMMEDIATE this is the only writer; the unique index settles races between instances.
        const inserted = this.db
          .stmt(CLAIM_IDEMPOTENCY_SQL)
          .run(...keyArgs(scope), requestHash, now, now);
        if (inserted.changes === 1) return { claimed: true };
        const row = this.db.stmt(SELECT_IDEMPOTENCY_SQL).get(...keyArgs(scope)) as
          | (IdempotencyRow & { rid: number })
          | undefined;
        if (!row) throw new Error("idempotency key neither inserted nor found");
        if (!mayTakeOverIdempotencyKey(row, requestHash, expiresBefore, staleBefore))
          return { claimed: false, record: toIdempotencyRecord(row) };
        this.db
          .stmt(
            "UPDATE idempotency_keys SET request_hash = ?, created_at = ?, locked_at = ? WHERE rid = ?",
          )
          .run(requestHash, now, now, row.rid);
        this.db.stmt("DELETE FROM idempotency_responses WHERE rid = ?").run(row.rid);
        return { claimed: true };
      }),
    );
  }

  async completeIdempotencyKey(
    scope: IdempotencyScope,
    status: number,
    body: string,
    headers: Record<string, string>,
  ): Promise<void> {
    await this.db.writeBatched(() =>
      this.db.declaredChanges(() =>
        this.db
          .stmt(COMPLETE_IDEMPOTENCY_SQL)
          .run(status, body, JSON.stringify(headers), ...keyArgs(scope)),
      ),
    );
  }

  async releaseIdempotencyKey(scope: IdempotencyScope): Promise<void> {
    this.db.declaredChanges(() =>
      this.db
        .stmt(
          `DELETE FROM idempotency_keys WHERE ${keyWhere}
           AND NOT EXISTS (SELECT 1 FROM idempotency_responses r WHERE r.rid = idempotency_keys.rid)`,
        )
        .run(...keyArgs(scope)),
    );
  }

  async sweep(rateWindowsBefore: number, idempotencyBefore: number): Promise<void> {
    this.db.write(() =>
      this.db.declaredChanges(() => {
        this.db.stmt("DELETE FROM rate_limits WHERE window_start < ?").run(rateWindowsBefore);
        this.db.stmt("DELETE FROM idempotency_keys WHERE created_at < ?").run(idempotencyBefore);
      }),
    );
  }
}
