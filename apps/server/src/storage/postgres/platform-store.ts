import type {
  IdempotencyClaim,
  IdempotencyRecord,
  IdempotencyScope,
  PlatformStore,
} from "../../platform/store.js";
import {
  type IdempotencyRow,
  idempotencyColumns,
  idempotencyKeyArgs as keyArgs,
  mayTakeOverIdempotencyKey,
  toIdempotencyRecord,
} from "../shared/idempotency-rows.js";
import type { PgDatabase } from "./database.js";

const keyWhere = "caller = $1 AND method = $2 AND path = $3 AND key = $4";
/** PostgreSQL implementation of {@link PlatformStore}; every instance sees the same rows. */
export class PgPlatformStore implements PlatformStore {
  constructor(private readonly db: PgDatabase) {}

  async ping(): Promise<void> {
    await this.db.query("SELECT 1");
  }

  async getOrCreateSecret(name: string, candidate: string, now: number): Promise<string> {
    // First start wins: a concurrent loser's insert waits for the winner, then does nothing.
    await this.db.query(
      "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
      [name, candidate, now],
    );
    const [row] = await this.db.query<{ value: string }>(
      "SELECT value FROM server_secrets WHERE name = $1",
      [name],
    );
    if (!row) throw new Error(`server secret ${name} vanished`);
    return row.value;
  }

  async hitRateLimit(bucket: string, windowStart: number): Promise<number> {
    // One atomic upsert: instances count into the same row.
    const [row] = await this.db.query<{ count: number }>(
      `INSERT INTO rate_limits AS r (bucket, window_start, count) VALUES ($1, $2, 1)
       ON CONFLICT (bucket) DO UPDATE SET
         count = CASE WHEN r.window_start = excluded.window_start THEN r.count + 1 ELSE 1 END,
         window_start = excluded.window_start
       RETURNING count`,
      [bucket, windowStart],
    );
    return row?.count ?? 1;
  }

  async hitRateLimitForSession(
    bucket: string,
    windowStart: number,
    session: { idHash: string; agentId: string; now: number },
  ): Promise<{
    count: number | null;
    session: { agentId: string; expiresAt: number; revokedAt: number | null } | null;
  }> {
    // The guard's session read and the counter's upsert in one statement (one snapshot): the
    // hit is counted only for a live session (the rule of middleware.ts sessionRefusal).
    const [row] = await this.db.query<{
      count: number | null;
      agent_id: string | null;
      expires_at: number | null;
      revoked_at: number | null;
    }>(
      `WITH s AS (SELECT agent_id, expires_at, revoked_at FROM sessions WHERE id_hash = $3),
       hit AS (
         INSERT INTO rate_limits AS r (bucket, window_start, count)
           SELECT $1, $2, 1 FROM s
           WHERE s.agent_id = $4 AND s.revoked_at IS NULL AND s.expires_at > $5
         ON CONFLICT (bucket) DO UPDATE SET
           count = CASE WHEN r.window_start = excluded.window_start THEN r.count + 1 ELSE 1 END,
           window_start = excluded.window_start
         RETURNING count)
       SELECT (SELECT count FROM hit) AS count, s.agent_id, s.expires_at, s.revoked_at
       FROM (SELECT 1) AS one LEFT JOIN s ON true`,
      [bucket, windowStart, session.idHash, session.agentId, session.now],
    );
    return {
      count: row?.count ?? null,
      session:
        row?.agent_id == null
          ? null
          : {
              agentId: row.agent_id,
              expiresAt: row.expires_at as number,
              revokedAt: row.revoked_at,
            },
    };
  }

  async claimIdempotencyKey(
    scope: IdempotencyScope,
    requestHash: string,
    now: number,
    expiresBefore: number,
    staleBefore: number,
  ): Promise<IdempotencyClaim> {
    return this.db.tx(async (q): Promise<IdempotencyClaim> => {
      // The primary key decides between instances: exactly one insert succeeds.
      const inserted = await q(
        `INSERT INTO idempotency_keys (caller, method, path, key, request_hash, status, body, headers, created_at, locked_at)
         VALUES ($1, $2, $3, $4, $5, NULL, NULL, '{}', $6, $6) ON CONFLICT DO NOTHING RETURNING 1`,
        [...keyArgs(scope), requestHash, now],
      );
      if (inserted.length === 1) return { claimed: true };
      const [row] = await q<IdempotencyRow>(
        `SELECT ${idempotencyColumns} FROM idempotency_keys
         WHERE ${keyWhere} FOR UPDATE`,
        keyArgs(scope),
      );
      if (!row) return { claimed: false, record: inProgress(requestHash, now) };
      if (!mayTakeOverIdempotencyKey(row, requestHash, expiresBefore, staleBefore))
        return { claimed: false, record: toIdempotencyRecord(row) };
      await q(
        `UPDATE idempotency_keys SET request_hash = $5, status = NULL, body = NULL, headers = '{}',
           created_at = $6, locked_at = $6 WHERE ${keyWhere}`,
        [...keyArgs(scope), requestHash, now],
      );
      return { claimed: true };
    });
  }

  async completeIdempotencyKey(
    scope: IdempotencyScope,
    status: number,
    body: string,
    headers: Record<string, string>,
  ): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET status = $5, body = $6, headers = $7 WHERE ${keyWhere}`,
      [...keyArgs(scope), status, body, JSON.stringify(headers)],
    );
  }

  async releaseIdempotencyKey(scope: IdempotencyScope): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_keys WHERE ${keyWhere} AND status IS NULL`, [
      ...keyArgs(scope),
    ]);
  }

  async sweep(rateWindowsBefore: number, idempotencyBefore: number): Promise<void> {
    await this.db.tx(async (q) => {
      await q("DELETE FROM rate_limits WHERE window_start < $1", [rateWindowsBefore]);
      await q("DELETE FROM idempotency_keys WHERE created_at < $1", [idempotencyBefore]);
    });
  }
}

/** The row was released between our insert and read: report it as still running (409, retry). */
function inProgress(requestHash: string, now: number): IdempotencyRecord {
  return { requestHash, status: null, body: null, headers: {}, createdAt: now, lockedAt: now };
}
