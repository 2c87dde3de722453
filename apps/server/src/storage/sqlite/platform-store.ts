import type { IdempotencyClaim, IdempotencyScope, PlatformStore } from "../../platform/store.js";
import {
  type IdempotencyRow,
  idempotencyColumns,
  idempotencyKeyArgs as keyArgs,
  mayTakeOverIdempotencyKey,
  toIdempotencyRecord,
} from "../shared/idempotency-rows.js";
import type { SqliteDatabase } from "./database.js";

const keyWhere = "caller = ? AND method = ? AND path = ? AND key = ?";
const COMPLETE_IDEMPOTENCY_SQL = `UPDATE idempotency_keys SET status = ?, body = ?, headers = ?
  WHERE ${keyWhere}`;

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
        const row = this.db
          .stmt(`SELECT ${idempotencyColumns} FROM idempotency_keys WHERE ${keyWhere}`)
          .get(...keyArgs(scope)) as IdempotencyRow | undefined;
        if (row && !mayTakeOverIdempotencyKey(row, requestHash, expiresBefore, staleBefore))
          return { claimed: false, record: toIdempotencyRecord(row) };
        // The primary key settles races between instances; inside IMMEDIATE this is the only writer.
        this.db
          .stmt(
            `INSERT INTO idempotency_keys (caller, method, path, key, request_hash, status, body, headers, created_at, locked_at)
           VALUES (?, ?, ?, ?, ?, NULL, NULL, '{}', ?, ?)
           ON CONFLICT (caller, method, path, key) DO UPDATE SET
             request_hash = excluded.request_hash, status = NULL, body = NULL, headers = '{}',
             created_at = excluded.created_at, locked_at = excluded.locked_at`,
          )
          .run(...keyArgs(scope), requestHash, now, now);
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
        .stmt(`DELETE FROM idempotency_keys WHERE ${keyWhere} AND status IS NULL`)
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
