import type { MessageRecord } from "./store.js";

/**
 * The newest message of recently listed conversations, as its API record, as of one
 * `messages_version` (the trigger-kept counter the message tail also checks): the conversation
 * list reuses it instead of reading and converting the conversation's newest row again, and any
 * insert, edit or tombstone, by any writer, makes it stale. Holds the newest message whoever
 * wrote it; a caller who blocks that author reads their own last visible message instead. The
 * records are shared between responses and frozen, so no caller can change another's.
 */
export class LastMessages {
  private readonly entries = new Map<string, { version: number; message: MessageRecord | null }>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The newest message (null: none) at `version`, or undefined when not known at it. */
  get(conversation: string, version: number): MessageRecord | null | undefined {
    const entry = this.entries.get(conversation);
    if (entry === undefined) return undefined;
    if (entry.version !== version) {
      this.entries.delete(conversation);
      return undefined;
    }
    return entry.message;
  }

  /** Records the newest message at `version`; the oldest entry goes past the bound. */
  set(conversation: string, version: number, message: MessageRecord | null): void {
    this.entries.delete(conversation);
    this.entries.set(conversation, { version, message: message && Object.freeze(message) });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Entries held (for tests). */
  get size(): number {
    return this.entries.size;
  }
}
