import type { AgentsStore } from "./domains/agents/store.js";
import type { AuthStore } from "./domains/auth/store.js";
import type { BlocksStore } from "./domains/blocks/store.js";
import type { ChatStore } from "./domains/chat/store.js";
import type { EventsStore } from "./domains/events/store.js";
import type { PlatformStore } from "./platform/store.js";

/**
 * Everything the app stores, one async interface per domain. A backend (SQLite, the default, or
 * PostgreSQL to scale out) implements all of them; domains only see these interfaces.
 */
export interface Store {
  platform: PlatformStore;
  auth: AuthStore;
  agents: AgentsStore;
  chat: ChatStore;
  blocks: BlocksStore;
  /** The per-agent event feed (written by the chat and blocks stores, read by the Events domain). */
  events: EventsStore;
  /** Releases the database. */
  close(): Promise<void>;
  /**
   * Called with any error the app answered 503 for, so a backend can notice a lost connection
   * and reconnect on the next request (optional: pools reconnect by themselves).
   */
  reportFailure?(err: unknown): void;
}
