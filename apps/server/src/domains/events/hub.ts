import type { EventsStore, Wake } from "./store.js";

/**
 * One held request's wake-up: set by a commit for its agent (or a wake-all), by shutdown, or by
 * its own timeout. Registered before the first read, so a commit between read and wait is not lost.
 */
export class Waiter {
  private woken = false;
  private resolve: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly agent: string,
    private readonly hub: EventHub,
  ) {}

  /** Resolves at the next wake-up (at once if one came since the last), or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.woken || this.hub.closed) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.resolve = resolve;
      if (Number.isFinite(ms)) this.timer = setTimeout(() => this.fire(), Math.max(0, ms));
    });
  }

  /** Wakes the waiter (or marks it woken for its next {@link wait}). */
  fire(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const resolve = this.resolve;
    this.resolve = undefined;
    if (resolve) resolve();
    else this.woken = true;
  }

  /** Unregisters the waiter (idempotent). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.hub.remove(this);
    this.resolve?.();
    this.resolve = undefined;
  }
}

/** A held stream as the shared keep-alive sees it: when it last wrote, and how to ping it. */
export interface KeepAliveSlot {
  /** Epoch ms of the stream's last write (its start frame, an event or a keep-alive). */
  lastWrite: number;
  /** Writes the keep-alive comment (and moves {@link lastWrite}). */
  ping(): void;
}

/**
 * The registry of held long-polls and streams of one app, keyed by agent. Woken by the store
 * after COMMIT (in-process on SQLite, LISTEN/NOTIFY on PostgreSQL); no per-connection polling.
 * One shared timer sends the SSE keep-alives: it ticks every 1/15 of the interval and pings only
 * the streams that wrote nothing for the interval minus one tick, so an idle stream hears from
 * the server at least every `keepAliveMs` (15 s by default, the spec's bound) and a stream that
 * carries events gets no keep-alive at all.
 */
export class EventHub {
  closed = false;
  private readonly byAgent = new Map<string, Set<Waiter>>();
  private held = 0;
  private readonly streams = new Set<KeepAliveSlot>();
  private keepAlive: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: EventsStore,
    private readonly keepAliveMs: number,
    shutdown: AbortSignal | undefined,
  ) {
    shutdown?.addEventListener("abort", () => this.close(), { once: true });
  }

  /** How many requests are held now (long-polls and streams). */
  get size(): number {
    return this.held;
  }

  /** Registers a waiter for `agent`; dispose it when the request ends. */
  register(agent: string): Waiter {
    // Subscribe on first use: an app that never serves events opens no LISTEN connection.
    this.unsubscribe ??= this.store.subscribe((wake) => this.wake(wake));
    const waiter = new Waiter(agent, this);
    let set = this.byAgent.get(agent);
    if (!set) {
      set = new Set();
      this.byAgent.set(agent, set);
    }
    set.add(waiter);
    if (++this.held === 1) this.store.watch?.(true);
    return waiter;
  }

  /** Forgets a waiter. */
  remove(waiter: Waiter): void {
    const set = this.byAgent.get(waiter.agent);
    if (!set?.delete(waiter)) return;
    if (set.size === 0) this.byAgent.delete(waiter.agent);
    if (--this.held === 0) this.store.watch?.(false);
  }

  /** Wakes the waiters of the named agents (or all). */
  wake(wake: Wake): void {
    if (wake === "all") {
      for (const set of this.byAgent.values()) for (const w of set) w.fire();
      return;
    }
    for (const agent of wake) {
      const set = this.byAgent.get(agent);
      if (set) for (const w of set) w.fire();
    }
  }

  /** Adds a stream to the shared keep-alive; returns its removal. */
  addStream(slot: KeepAliveSlot): () => void {
    this.streams.add(slot);
    if (this.keepAlive === undefined) {
      const tick = this.keepAliveMs / 15;
      this.keepAlive = setInterval(() => this.sweep(Date.now() - (this.keepAliveMs - tick)), tick);
      this.keepAlive.unref();
    }
    return () => {
      this.streams.delete(slot);
      if (this.streams.size === 0 && this.keepAlive !== undefined) {
        clearInterval(this.keepAlive);
        this.keepAlive = undefined;
      }
    };
  }

  /** Pings every stream whose last write is at or before `due` (epoch ms). */
  private sweep(due: number): void {
    for (const slot of this.streams) if (slot.lastWrite <= due) slot.ping();
  }

  /** Shutdown: every held long-poll answers now and every stream ends. */
  close(): void {
    this.closed = true;
    this.wake("all");
    this.unsubscribe?.();
  }
}
