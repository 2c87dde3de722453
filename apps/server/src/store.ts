import type { AgentsStore } from "./domains/agents/store.js";
import type { AuthStore } from "./domains/auth/store.js";
import type { PlatformStore } from "./platform/store.js";

/**
 * Everything the app stores, one async interface per domain. A backend (SQLite today,
 * PostgreSQL later) implements all of them; domains only see these interfaces.
 */
export interface Store {
  platform: PlatformStore;
  auth: AuthStore;
  agents: AgentsStore;
  /** Releases the database. */
  close(): Promise<void>;
}
