import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { receivedCount } from "../../platform/received.js";
import {
  APPLIED_TABLE,
  findMigrations,
  legacyNames,
  type Migration,
  migrationSql,
} from "../migrations.js";
import {
  CHECKPOINT_DELAY_MS,
  checkpointDue,
  checkpointsSettled,
  reportSkipped,
  requestCheckpoint,
  SAFETY_NET_PAGES,
} from "./checkpointer.js";

type Statement = Database.Statement<unknown[], unknown>;

/** A write waiting for the next group commit. */
interface QueuedWrite {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * One better-sqlite3 connection with the settings the server relies on: WAL (readers never
 * block the writer, survives kill -9), synchronous=NORMAL (durable across process crashes),
 * busy_timeout (instances sharing a file wait instead of failing), cached prepared statements,
 * and writes in `BEGIN IMMEDIATE` transactions (no SQLITE_BUSY upgrades mid-transaction).
 */
export class SqliteDatabase {
  private handle: Database.Database;
  private statements = new Map<string, Statement>();
  private runInTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  /** Closed on purpose by {@link close}: never reopened. */
  private closedByOwner = false;
  /** A failure said the connection is unusable: reopen before the next query. */
  private broken = false;
  /** Identity of the file the connection has open (undefined for `:memory:`). */
  private fileId: string | undefined;
  /** Writes queued by {@link writeBatched} for the next group commit. */
  private queue: QueuedWrite[] = [];
  private flushScheduled = false;
  /** {@link afterCommit} callbacks of the write running now (null outside a write). */
  private commitCallbacks: (() => void)[] | null = null;
  /** Bumped each time the connection is reopened: caches of what it read must start over. */
  generation = 0;
  /** `total_changes()` after the last {@link declaredChanges} write or check. */
  private accountedChanges = 0;
  /** See {@link undeclaredChanges}. */
  private changeEpoch = 0;
  /** A checkpoint request is scheduled ({@link committed}). */
  private checkpointScheduled = false;
  /** Commits since the last checkpoint request, and the `-wal` file's size then. */
  private commitsSinceCheckpoint = 0;
  private walBytesAtCheckpoint = 0;
  /** Bytes of one WAL frame (page size + its 24-byte header). */
  private readonly walFrameBytes: number;
  /** Bumped at each BEGIN of {@link write} or a group commit: see {@link transactionSerial}. */
  private serial = 0;
  /** See {@link onWriteFailure}. */
  private failureListeners: (() => void)[] = [];
  /** {@link sharedDataVersion}'s last read, the request count and connection it was read at. */
  private sharedVersion = 0;
  private sharedReceived = -1;
  private sharedGeneration = -1;
  /** A check-phase callback will forget {@link sharedVersion}. */
  private sharedExpiring = false;

  constructor(
    private readonly path: string,
    options: { migrations?: readonly Migration[] } = {},
  ) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.handle = connect(path, false);
    this.fileId = fileIdentity(path);
    this.runInTransaction = this.handle.transaction((fn: () => unknown) => fn());
    this.walFrameBytes = (this.handle.pragma("page_size", { simple: true }) as number) + 24;
    applyMigrations(this, options.migrations ?? findMigrations("sqlite"));
    this.walBytesAtCheckpoint = walBytes(path);
  }

  /** The raw connection, for the rare query that needs it (reopened first if it was lost). */
  get raw(): Database.Database {
    this.ensureOpen();
    return this.handle;
  }

  /** A prepared statement, compiled once per SQL text (and again after a reconnect). */
  stmt(sql: string): Statement {
    this.ensureOpen();
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.handle.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * `PRAGMA data_version`: changes whenever another connection (another process, or another
   * {@link SqliteDatabase} on the same file) commits, never for this connection's own commits.
   * One cached statement step (no table read), so per-request caches can check it cheaply.
   */
  dataVersion(): number {
    return this.stmt("PRAGMA data_version").pluck().get() as number;
  }

  /**
   * {@link dataVersion} for the checks of per-request caches, read at most once per received
   * request: while the server's listener counts requests (platform/received.ts), a value read
   * after the latest request was received is reused until the next one is received or this
   * event-loop turn ends, whichever comes first. Without a counting listener every call reads.
   *
   * Why a request still sees every commit another process made before it was received: the value
   * it is given was read after the latest receipt counted, and its own receipt was counted no
   * later, so the read came after that commit (commits are visible to every read that starts after
   * them). The turn's end bounds the reuse for work that is no request (timers, direct store
   * calls). Reading once per request, not once per cache, is what makes a cache hit free: the
   * session, the page's access facts and the tail of a message page share one step.
   *
   * Not for checks under the write lock (the send state): a commit between this read and BEGIN
   * would be missed there; those read {@link dataVersion} inside their transaction.
   */
  sharedDataVersion(): number {
    const received = receivedCount();
    if (
      received >= 0 &&
      received === this.sharedReceived &&
      this.generation === this.sharedGeneration
    ) {
      return this.sharedVersion;
    }
    const version = this.dataVersion();
    if (received < 0) return version;
    this.sharedVersion = version;
    this.sharedReceived = received;
    this.sharedGeneration = this.generation;
    if (!this.sharedExpiring) {
      this.sharedExpiring = true;
      setImmediate(() => {
        this.sharedExpiring = false;
        this.sharedReceived = -1;
      });
    }
    return version;
  }

  /**
   * Runs `fn`, a write whose changes its caller declares known to every in-memory cache of this
   * connection: the caches were told what it changed (see the chat list cache), or it changes
   * nothing they hold (rate-limit counters, idempotency keys). Changes made before it that
   * nobody declared move {@link undeclaredChanges} first. A `fn` that throws declares nothing.
   */
  declaredChanges<T>(fn: () => T): T {
    this.undeclaredChanges();
    const value = fn();
    this.accountedChanges = this.totalChanges();
    return value;
  }

  /**
   * A number that moves whenever this connection changed rows outside {@link declaredChanges}
   * (raw SQL, a store that declares nothing): `total_changes()`, which counts rows changed by
   * triggers too, moved past what declared writes accounted for. Caches that this connection's
   * writes can make stale drop everything when it moves (other connections' commits are
   * `PRAGMA data_version`'s, {@link dataVersion}).
   */
  undeclaredChanges(): number {
    const total = this.totalChanges();
    if (total !== this.accountedChanges) {
      this.changeEpoch++;
      this.accountedChanges = total;
    }
    return this.changeEpoch;
  }

  /**
   * A number that changes at every write transaction this connection begins (group commits and
   * {@link write}s; not the savepoints nested in one): a cache validated inside one transaction
   * (under its write lock, so no other process can commit meanwhile) stays valid until it moves.
   */
  get transactionSerial(): number {
    return this.serial;
  }

  /**
   * Calls `listener` whenever a write function throws or a write transaction fails to begin or
   * commit: whatever in-memory state a write had changed before rolling back is then stale
   * (the caller drops it). Listeners run before a group commit retries its batch.
   */
  onWriteFailure(listener: () => void): void {
    this.failureListeners.push(listener);
  }

  private writeFailed(): void {
    for (const listener of this.failureListeners) listener();
  }

  private totalChanges(): number {
    return this.stmt("SELECT total_changes()").pluck().get() as number;
  }

  /**
   * Runs `fn` in one `BEGIN IMMEDIATE` transaction: all of its writes commit together or not at
   * all. `fn` must be synchronous (better-sqlite3 is), so no other request interleaves.
   */
  write<T>(fn: () => T): T {
    this.ensureOpen();
    this.ensureSameFile();
    if (this.commitCallbacks !== null) return this.inSavepoint(fn, this.commitCallbacks);
    const callbacks: (() => void)[] = [];
    this.commitCallbacks = callbacks;
    let value: T;
    this.serial++;
    try {
      value = this.runInTransaction.immediate(fn) as T;
    } catch (err) {
      this.writeFailed();
      throw err;
    } finally {
      this.commitCallbacks = null;
    }
    this.committed();
    runCallbacks(callbacks);
    return value;
  }

  /**
   * After a commit: at most every {@link CHECKPOINT_DELAY_MS}, once enough commits (or WAL
   * growth) may have put ~1,000 frames into the WAL ({@link checkpointDue}), the checkpoint
   * worker copies the WAL into the database file, off the event loop (see checkpointer.ts: the
   * commit after a complete checkpoint pays an fsync restarting the WAL, and why nothing here
   * may open SQLite's files itself).
   */
  private committed(): void {
    this.commitsSinceCheckpoint++;
    if (this.checkpointScheduled || this.path === ":memory:" || this.closedByOwner) return;
    this.checkpointScheduled = true;
    setTimeout(() => {
      this.checkpointScheduled = false;
      if (this.closedByOwner) return;
      const wal = walBytes(this.path);
      const commits = this.commitsSinceCheckpoint;
      if (!checkpointDue(commits, wal - this.walBytesAtCheckpoint, this.walFrameBytes)) {
        reportSkipped(this.path, commits);
        return;
      }
      this.commitsSinceCheckpoint = 0;
      this.walBytesAtCheckpoint = wal;
      requestCheckpoint(this.path);
    }, CHECKPOINT_DELAY_MS).unref();
  }

  /**
   * Group commit: runs `fn` in a `BEGIN IMMEDIATE` transaction shared with every other write
   * queued in the same turn of the event loop; a write that throws rolls back alone and only its
   * promise rejects (the batch is then run again with a savepoint per write, so `fn` may run
   * twice: it must only change the database, register {@link afterCommit} callbacks and drop
   * cache entries). Promises settle after COMMIT: an acknowledged
   * write is exactly as durable as one from {@link write}, but a burst of N writes costs one
   * commit (one WAL append of the pages they share) instead of N. If BEGIN or COMMIT fails,
   * nothing of the batch is stored and every write of it rejects with that error.
   */
  writeBatched<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // After the poll phase: every request whose bytes arrived in this turn has queued its write.
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Runs `callback` once the current write transaction has committed (never if it, or the
   * savepoint of the batched write calling this, rolls back). For in-memory state that must
   * only ever reflect committed rows.
   */
  afterCommit(callback: () => void): void {
    if (this.commitCallbacks === null) throw new Error("afterCommit() called outside a write");
    this.commitCallbacks.push(callback);
  }

  /**
   * Runs `fn` inside the open transaction, in a SAVEPOINT (better-sqlite3 nests transactions
   * that way and rolls back to it when `fn` throws). The {@link afterCommit} callbacks `fn`
   * registers join `into` only if it did not roll back.
   */
  private inSavepoint<T>(fn: () => T, into: (() => void)[]): T {
    const enclosing = this.commitCallbacks;
    const mine: (() => void)[] = [];
    this.commitCallbacks = mine;
    try {
      const value = this.runInTransaction(fn) as T;
      into.push(...mine);
      return value;
    } catch (err) {
      this.writeFailed();
      throw err;
    } finally {
      this.commitCallbacks = enclosing;
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    let outcomes: { ok: boolean; value: unknown }[] = [];
    let callbacks: (() => void)[] = [];
    try {
      this.ensureOpen();
      this.ensureSameFile();
      try {
        // First every write straight in the transaction, without savepoints: a SAVEPOINT and
        // its RELEASE cost ~20 µs a write in the bench, more than the rest of the commit's
        // bookkeeping. Nearly every write succeeds; if one throws, the whole transaction rolls
        // back (nothing of the batch is stored) and the batch runs again below.
        this.serial++;
        this.runInTransaction.immediate(() => {
          this.commitCallbacks = callbacks;
          try {
            for (const item of batch) {
              try {
                outcomes.push({ ok: true, value: item.fn() });
              } catch (err) {
                throw new WriteFailed(err);
              }
            }
          } finally {
            this.commitCallbacks = null;
          }
        });
      } catch (err) {
        if (!(err instanceof WriteFailed)) throw err;
        this.writeFailed();
        // A batch of one: its rollback was the transaction's; it fails alone.
        if (batch.length === 1) throw err.cause;
        outcomes = [];
        callbacks = [];
        this.serial++;
        // Again, each write in its own savepoint, so the one that throws rolls back alone and
        // only its promise rejects (the others' functions run a second time: they only change
        // the database, register afterCommit callbacks and drop cache entries).
        this.runInTransaction.immediate(() => {
          for (const item of batch) {
            try {
              outcomes.push({ ok: true, value: this.inSavepoint(item.fn, callbacks) });
            } catch (err) {
              // Some failures (full disk, I/O error) end the whole transaction: then nothing of
              // the batch can commit, so the batch fails as one.
              if (!this.handle.inTransaction) throw err;
              outcomes.push({ ok: false, value: err });
            }
          }
        });
      }
    } catch (err) {
      this.writeFailed();
      for (const item of batch) item.reject(err);
      return;
    }
    this.committed();
    runCallbacks(callbacks);
    batch.forEach((item, i) => {
      const outcome = outcomes[i] as { ok: boolean; value: unknown };
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.value);
    });
  }

  /**
   * Tells the database a query failed. Errors that mean the connection itself is unusable
   * (I/O error, file moved or replaced, handle closed under us) make the next query reopen the
   * file, so the server recovers without a restart once the file is reachable again. Errors
   * that leave the connection fine (busy, full disk, read-only) change nothing.
   */
  reportFailure(err: unknown): void {
    const code = (err as { code?: unknown } | null)?.code;
    const lost =
      (typeof code === "string" &&
        /^SQLITE_(IOERR|CANTOPEN|NOTADB|CORRUPT|READONLY_DBMOVED)/.test(code)) ||
      (err instanceof TypeError && /database connection is not open/.test(err.message));
    if (lost && !this.closedByOwner) this.broken = true;
  }

  /** Closes the connection for good (idempotent). */
  close(): void {
    this.closedByOwner = true;
    if (this.handle.open) this.handle.close();
  }

  /**
   * Resolves once the checkpoint worker holds no connection to this file (a checkpoint asked for
   * before {@link close} may still be running). No new one is asked for after close.
   */
  closed(): Promise<void> {
    return checkpointsSettled(this.path);
  }

  /**
   * In WAL mode SQLite keeps writing to a database file that was deleted or replaced under it:
   * every later write would be acknowledged and then lost. One stat per write transaction
   * (~2 µs) notices it: the path's file is reopened (a restored copy is used), or, if there is
   * none, the write fails with 503 instead of vanishing.
   */
  private ensureSameFile(): void {
    if (this.fileId === undefined) return;
    if (fileIdentity(this.path) === this.fileId) return;
    this.broken = true;
    this.ensureOpen();
  }

  /** Reopens a lost connection; throws (→ 503) while the file cannot be opened. */
  private ensureOpen(): void {
    if (this.closedByOwner || (!this.broken && this.handle.open)) return;
    if (this.path === ":memory:") return;
    try {
      if (this.handle.open) this.handle.close();
    } catch {
      // A broken handle may refuse to close cleanly; it is dropped either way.
    }
    this.handle = connect(this.path, true);
    this.fileId = fileIdentity(this.path);
    this.statements = new Map();
    this.runInTransaction = this.handle.transaction((fn: () => unknown) => fn());
    this.broken = false;
    this.generation++;
  }
}

/** A batched write's own failure (as opposed to BEGIN's or COMMIT's), carried out of the transaction. */
class WriteFailed extends Error {
  constructor(override readonly cause: unknown) {
    super("a batched write failed");
  }
}

/** Runs after-commit callbacks; one that throws is reported and does not stop the others. */
function runCallbacks(callbacks: (() => void)[]): void {
  for (const callback of callbacks) {
    try {
      callback();
    } catch (err) {
      console.error(err);
    }
  }
}

/** Device and inode of `path`, or undefined when there is no such file. */
function fileIdentity(path: string): string | undefined {
  if (path === ":memory:") return undefined;
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? `${st.dev}:${st.ino}` : undefined;
}

/** Opens `path` with the server's settings; `existing` refuses to create a missing file. */
/** The size of `path`'s `-wal` file (0 when there is none): a stat, which opens nothing. */
function walBytes(path: string): number {
  if (path === ":memory:") return 0;
  return statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
}

function connect(path: string, existing: boolean): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: existing });
  } catch (err) {
    // better-sqlite3 reports a missing directory or file as a plain TypeError; give it the code
    // SQLite uses, so the app answers 503 (the database is unavailable), not 500.
    if (!existing) throw err;
    throw Object.assign(new Error(`Cannot open the database: ${(err as Error).message}`), {
      code: "SQLITE_CANTOPEN",
      cause: err,
    });
  }
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    // Checkpoints run on a worker thread after commits (checkpointer.ts); the automatic one,
    // which would run inside a commit on the event loop, is only the safety net.
    if (path !== ":memory:") db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Applies every migration not yet recorded in `applied_migrations`, in name order, each in its
 * own IMMEDIATE transaction (so instances starting together apply each file once). A database
 * made before per-domain migrations first has its numbered `schema_migrations` versions
 * recorded under their files' names ({@link LEGACY_VERSIONS}), so nothing runs twice.
 */
export function applyMigrations(db: SqliteDatabase, migrations: readonly Migration[]): void {
  db.write(() => {
    db.raw.exec(
      `CREATE TABLE IF NOT EXISTS ${APPLIED_TABLE} (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT`,
    );
    const legacy = db.raw
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      .get();
    if (legacy === undefined) return;
    const versions = db.raw.prepare("SELECT version FROM schema_migrations").pluck().all();
    const record = db.raw.prepare(
      `INSERT INTO ${APPLIED_TABLE} (name, applied_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
    );
    for (const name of legacyNames(versions as number[])) record.run(name, Date.now());
  });
  const applied = new Set(
    db.raw.prepare(`SELECT name FROM ${APPLIED_TABLE}`).pluck().all() as string[],
  );
  for (const migration of migrations) {
    if (applied.has(migration.name)) continue;
    const sql = migrationSql(migration);
    db.write(() => {
      const done = db.raw
        .prepare(`SELECT 1 FROM ${APPLIED_TABLE} WHERE name = ?`)
        .get(migration.name);
      if (done) return;
      db.raw.exec(sql);
      db.raw
        .prepare(`INSERT INTO ${APPLIED_TABLE} (name, applied_at) VALUES (?, ?)`)
        .run(migration.name, Date.now());
    });
  }
}
