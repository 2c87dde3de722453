import pg from "pg";
import { ApiError } from "../../platform/errors.js";
import { findMigrations, type Migration } from "../migrations.js";
import { applyMigrations } from "./migrate.js";

/** Runs one statement; `@name` placeholders are bound from `params` (see {@link bindNamed}). */
export type Query = <T = Record<string, unknown>>(
  sql: string,
  params?: Record<string, unknown> | unknown[],
) => Promise<T[]>;

/** Options of {@link PgDatabase}. */
export interface PgOptions {
  /** Most connections this instance opens (default 10; PostgreSQL allows ~100 in total). */
  maxConnections?: number;
  /** Schema to work in (tests use one per app); default the connection's `search_path`. */
  schema?: string;
  /** How many times a transaction is retried after a serialization failure or deadlock (default 5). */
  maxRetries?: number;
  /** The migrations to apply (default: every one found, see storage/migrations.ts). */
  migrations?: readonly Migration[];
  /** Extra `-c name=value` settings for every connection (tests turn off synchronous_commit). */
  settings?: Record<string, string>;
  /**
   * The send batcher's group-commit wait in µs (`FLUXRA_PG_SEND_WAIT_US`; 0 disables it; default
   * in chat/postgres/send-batch.ts, which reads it from here).
   */
  sendGroupWaitMicros?: number | undefined;
}

/** SQLSTATEs that mean "run the transaction again": serialization failure, deadlock. */
const RETRYABLE = new Set(["40001", "40P01"]);

/**
 * Errors that mean "PostgreSQL cannot be reached or refused the connection" rather than "the
 * request is bad": they become 503 `service_unavailable`, and the pool reconnects by itself.
 */
export function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (/^(08|57P|53)/.test(code)) return true; // connection, operator intervention, resources
    if (/^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH|AI_AGAIN)$/.test(code))
      return true;
    if (code === "ENOTFOUND") return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    err.message,
  );
}

function unavailable(err: unknown): never {
  if (isConnectionFailure(err)) {
    throw new ApiError("service_unavailable", "The database is unavailable.", { cause: err });
  }
  throw err;
}

/** A statement with `@name` placeholders rewritten once: its `$n` text and the names in order. */
const rewritten = new Map<string, { text: string; order: string[] }>();

/** Rewrites `@name` placeholders to `$n` (PostgreSQL's positional parameters). */
export function bindNamed(
  sql: string,
  params: Record<string, unknown> | unknown[] = [],
): { text: string; values: unknown[] } {
  if (Array.isArray(params)) return { text: sql, values: params };
  let shape = rewritten.get(sql);
  if (shape === undefined) {
    const order: string[] = [];
    const text = sql.replace(/@([a-z_][a-z0-9_]*)/gi, (_m, name: string) => {
      let i = order.indexOf(name);
      if (i < 0) {
        order.push(name);
        i = order.length - 1;
      }
      return `$${i + 1}`;
    });
    shape = { text, order };
    if (rewritten.size < MAX_PREPARED) rewritten.set(sql, shape);
  }
  for (const n of shape.order) {
    if (!(n in params)) throw new Error(`missing SQL parameter @${n}`);
  }
  return { text: shape.text, values: shape.order.map((n) => params[n]) };
}

/**
 * Most distinct statement texts prepared by name (per process; each connection prepares those it
 * runs). The stores' SQL is a fixed set of a few hundred texts; past the bound (SQL built from
 * values would be a bug) statements run unnamed, as before, so nothing grows without limit.
 */
const MAX_PREPARED = 2_000;
const statementNames = new Map<string, string>();

/**
 * The query config for `text`: a named (prepared) statement, so each pooled connection parses,
 * analyses and plans it once instead of on every call (a CPU profile of the list route put
 * parse + analysis + planning at about half of the PostgreSQL backends' time, the executor at
 * under a tenth). PostgreSQL re-plans a prepared statement by itself when a table it reads
 * changes (migrations) and picks custom or generic plans per execution as usual.
 *
 * Array keys: a statement that takes a batch of keys as `unnest($1::text[])` is planned anew on
 * every execution anyway. With `plan_cache_mode = auto` PostgreSQL keeps a custom plan while it
 * looks cheaper than the generic one, and a custom plan knows the array's length (1 row) where
 * the generic plan assumes 10, so it always does: planning was two thirds of the backend's CPU
 * of the list's access statement (bench/README.md, PostgreSQL round 5). Batched lookups take their
 * keys as one JSON text instead (`json_to_recordset`, `json_array_elements_text`: 100 rows
 * estimated whatever the value, so custom and generic plans cost the same and the generic one is
 * kept after five executions), and probe each key through a correlated subquery or
 * `LATERAL (… OFFSET 0)`, so the generic plan is an index lookup per key whatever the estimates
 * (`generic-plans.test.ts`).
 */
export function statement(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    if (statementNames.size >= MAX_PREPARED) return { text, values };
    name = `fluxra_${statementNames.size}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

// BIGINT (epoch ms, counts) as JS numbers: every value we store fits in 2^53.
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as never,
};

/**
 * A `text[]` column's text form (`{a,"b c",NULL}`) as strings, as node-pg decodes one for
 * `query` (its own array parser), for rows read by {@link PgDatabase.queryRows}.
 */
export const parseTextArray = pg.types.getTypeParser(1009 as never, "text") as (
  value: string,
) => (string | null)[];

/** A statement parameter as {@link PgDatabase.queryRows} sends it: text, binary (a Buffer), NULL. */
export type RawParam = string | Buffer | null;

/** The connection internals a {@link RowsQuery} uses (pg's `Connection`, not in its types). */
interface WireConnection {
  stream: { cork?: () => void; uncork?: () => void };
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  parse(q: { text: string; name: string; types: number[] }): void;
  bind(q: { statement: string; values: RawParam[] }): void;
  execute(q: { portal: string }): void;
  sync(): void;
}

/**
 * One execution of a prepared statement as a node-pg submittable (what `client.query` runs for a
 * custom query object, as pg-cursor does): Parse once per connection, then Bind, Execute, Sync,
 * without the Describe node-pg's `Query` adds, so the server sends no RowDescription and each
 * DataRow's text fields go straight to `row`. node-pg's own path builds a `Result` per call (a
 * parser and a null-prototype template object per column, one object spread per row) and runs
 * every parameter through `prepareValue`; for the send batch that was ~4 % of the server's main
 * thread (bench/README.md, PostgreSQL round 8). The client routes the protocol's messages to the
 * `handle*` methods below, as for its own queries; errors (the server's, a dead socket, the
 * client's query timeout) reach {@link handleError}.
 */
class RowsQuery<T> {
  readonly rows: T[] = [];
  readonly types: number[] = [];
  private done = false;
  constructor(
    readonly name: string,
    readonly text: string,
    private readonly values: RawParam[],
    private readonly row: (fields: (string | null)[]) => T,
    public callback: (err: Error | null, rows?: T[]) => void,
  ) {}
  submit(connection: WireConnection): Error | null {
    const { name, text } = this;
    const previous = connection.parsedStatements[name] ?? connection.submittedNamedStatements[name];
    if (name !== "" && previous !== undefined && previous !== text) {
      return new Error(`prepared statement ${name} was used for another statement`);
    }
    connection.stream.cork?.();
    try {
      if (name === "" || previous === undefined) {
        connection.parse({ text, name, types: this.types });
        if (name !== "") connection.submittedNamedStatements[name] = text;
      }
      connection.bind({ statement: name, values: this.values });
      connection.execute({ portal: "" });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }
  handleDataRow(msg: { fields: (string | null)[] }): void {
    if (this.done) return;
    try {
      this.rows.push(this.row(msg.fields));
    } catch (err) {
      this.finish(err as Error);
    }
  }
  handleRowDescription(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}
  handleError(err: Error): void {
    this.finish(err);
  }
  handleReadyForQuery(): void {
    this.finish(null);
  }
  private finish(err: Error | null): void {
    if (this.done) return;
    this.done = true;
    if (err) this.callback(err);
    else this.callback(null, this.rows);
  }
}

/**
 * A pool of PostgreSQL connections with the guarantees the stores rely on: migrations applied
 * once before the first query (under an advisory lock, so instances starting together do not
 * race), each write in one transaction retried on serialization failures and deadlocks, and
 * connection failures reported as 503 `service_unavailable` (the pool reconnects on its own).
 */
export class PgDatabase {
  readonly pool: pg.Pool;
  readonly schema: string | undefined;
  /** {@link PgOptions.sendGroupWaitMicros}, for the chat store's send batcher. */
  readonly sendGroupWaitMicros: number | undefined;
  private readonly maxRetries: number;
  private readonly migrations: readonly Migration[];
  private migrating: Promise<void> | undefined;
  private migrated = false;
  private readonly migrationClient: () => pg.Client;

  constructor(connectionString: string, options: PgOptions = {}) {
    this.schema = options.schema;
    this.sendGroupWaitMicros = options.sendGroupWaitMicros;
    this.maxRetries = options.maxRetries ?? 5;
    this.migrations = options.migrations ?? findMigrations("postgres");
    const connection: pg.ClientConfig = {
      connectionString,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      types,
      options: connectionOptions(options),
    };
    // Migrations get a client of their own without the query timeout: waiting for another
    // instance's migration (the advisory lock) or building an index may take longer.
    this.migrationClient = () => new pg.Client(connection);
    this.pool = new pg.Pool({
      ...connection,
      max: options.maxConnections ?? 10,
      idleTimeoutMillis: 30_000,
      // A server that stops answering (network partition) must not hang requests forever: the
      // client gives up after 30 s (→ 503); TCP keepalive notices dead peers on idle sockets.
      query_timeout: 30_000,
    });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    this.pool.on("error", () => {});
  }

  /** Resolves once migrations are applied; retried on the next call if the database was down. */
  ready(): Promise<void> {
    if (this.migrated) return Promise.resolve();
    this.migrating ??= applyMigrations(this.migrationClient(), this.migrations, this.schema).then(
      () => {
        this.migrated = true;
      },
      (err: unknown) => {
        this.migrating = undefined;
        return unavailable(err);
      },
    );
    return this.migrating;
  }

  /**
   * One statement outside a transaction (reads, single atomic writes: the statement is its own
   * transaction), run again after a serialization failure or deadlock as {@link tx} does: it was
   * rolled back whole.
   */
  readonly query: Query = async (sql, params) => {
    await this.ready();
    const { text, values } = bindNamed(sql, params);
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.pool.query(statement(text, values))).rows as never;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < this.maxRetries) continue;
        return unavailable(err);
      }
    }
  };

  /** A pooled connection; 503 when none can be opened. */
  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      return unavailable(err);
    }
  }

  /**
   * One statement (its own transaction, as {@link query}) whose rows are decoded by `row` from
   * their text fields in column order: no Describe, no per-column parsers, no row objects built
   * by node-pg (see {@link RowsQuery}). Parameters are sent as given: strings as text, Buffers in
   * binary format (binary-arrays.ts), null as NULL. Retried after a serialization failure or
   * deadlock as {@link query} is; connection failures become 503 and drop the connection.
   */
  async queryRows<T>(
    sql: string,
    values: RawParam[],
    row: (fields: (string | null)[]) => T,
  ): Promise<T[]> {
    await this.ready();
    const name = statement(sql, values).name ?? "";
    for (let attempt = 0; ; attempt++) {
      const client = await this.connect();
      let broken: Error | undefined;
      try {
        return await new Promise<T[]>((resolve, reject) => {
          client.query(
            new RowsQuery(name, sql, values, row, (err, rows) =>
              err ? reject(err) : resolve(rows as T[]),
            ) as never,
          );
        });
      } catch (err) {
        if (isConnectionFailure(err)) broken = err as Error;
        const code = (err as { code?: string }).code;
        if (!broken && code && RETRYABLE.has(code) && attempt < this.maxRetries) continue;
        return unavailable(err);
      } finally {
        client.release(broken);
      }
    }
  }

  /**
   * Runs reads on one pooled connection without a transaction (each statement sees the latest
   * commits, as SQLite's reads outside a write do): two round trips fewer than {@link tx}.
   */
  async read<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    await this.ready();
    const client = await this.connect();
    let broken = false;
    try {
      return await fn(async (sql, params) => {
        const { text, values } = bindNamed(sql, params);
        return (await client.query(statement(text, values))).rows as never;
      });
    } catch (err) {
      broken = isConnectionFailure(err);
      return unavailable(err);
    } finally {
      client.release(broken);
    }
  }

  /**
   * Runs `fn` in one READ COMMITTED transaction (row locks and constraints do the serialising),
   * retrying it from the start after a serialization failure or deadlock.
   */
  async tx<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    await this.ready();
    for (let attempt = 0; ; attempt++) {
      const client = await this.connect();
      const q: Query = async (sql, params) => {
        const { text, values } = bindNamed(sql, params);
        return (await client.query(statement(text, values))).rows as never;
      };
      let broken = false;
      try {
        await client.query("BEGIN");
        const result = await fn(q);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {
          broken = true;
        });
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < this.maxRetries) continue;
        broken ||= isConnectionFailure(err);
        return unavailable(err);
      } finally {
        client.release(broken);
      }
    }
  }

  /** A dedicated connection outside the pool, with the pool's settings (e.g. for LISTEN). */
  dedicatedClient(): pg.Client {
    return this.migrationClient();
  }

  /** Closes every connection (idempotent). */
  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

function connectionOptions(options: PgOptions): string {
  const settings = {
    ...options.settings,
    ...(options.schema ? { search_path: options.schema } : {}),
  };
  return Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(" ");
}
