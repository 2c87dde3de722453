import type { SpecDomainName } from "../generated/spec.js";
import type { PgDatabase } from "../storage/postgres/database.js";
import type { SqliteDatabase } from "../storage/sqlite/database.js";
import { createPgAgentsStore } from "./agents/postgres-store.js";
import { createSqliteAgentsStore } from "./agents/sqlite-store.js";
import type { AgentsStore } from "./agents/store.js";
import { createPgAuthStore } from "./auth/postgres-store.js";
import { createSqliteAuthStore } from "./auth/sqlite-store.js";
import type { AuthStore } from "./auth/store.js";
import { createPgBlocksStore } from "./blocks/postgres-store.js";
import { createSqliteBlocksStore } from "./blocks/sqlite-store.js";
import type { BlocksStore } from "./blocks/store.js";
import { createPgChatStore } from "./chat/postgres/index.js";
import { createSqliteChatStore } from "./chat/sqlite/index.js";
import type { ChatStore } from "./chat/store.js";
import { pgEvents } from "./events/postgres-store.js";
import { sqliteEvents } from "./events/sqlite-store.js";
import type { EventsStore } from "./events/store.js";

/** How a domain's store is built on each backend's database handle. */
export interface StoreFactory<S> {
  sqlite(db: SqliteDatabase): S;
  postgres(db: PgDatabase): S;
}

/** Names the store interface a factory pair builds, so both backends are checked against it. */
const storeOf = <S>(factory: StoreFactory<S>): StoreFactory<S> => factory;

/**
 * Each domain's store, by the spec domain (tag) it serves, with its SQLite and PostgreSQL
 * implementations (`domains/<d>/sqlite-store.ts`, `postgres-store.ts`, or `sqlite/`,
 * `postgres/`). The app's `Store` type and both backends' store assembly are derived from this
 * one table: adding a domain with storage = its folder and one line here. Keys are checked
 * against the spec's tags (a domain without storage, like health, has no line).
 */
export const domainStores = {
  auth: storeOf<AuthStore>({ sqlite: createSqliteAuthStore, postgres: createPgAuthStore }),
  agents: storeOf<AgentsStore>({ sqlite: createSqliteAgentsStore, postgres: createPgAgentsStore }),
  chat: storeOf<ChatStore>({
    sqlite: (db) => createSqliteChatStore(db),
    postgres: (db) => createPgChatStore(db),
  }),
  blocks: storeOf<BlocksStore>({ sqlite: createSqliteBlocksStore, postgres: createPgBlocksStore }),
  /** The per-agent event feed (written by the chat and blocks stores, read by the Events domain). */
  events: storeOf<EventsStore>({
    sqlite: (db) => sqliteEvents(db).store,
    postgres: (db) => pgEvents(db).store,
  }),
} satisfies { [D in SpecDomainName]?: StoreFactory<unknown> };

/** The domains that store something. */
export type StoredDomain = keyof typeof domainStores;

/** One async store interface per domain, as the registry builds them. */
export type DomainStores = {
  [D in StoredDomain]: (typeof domainStores)[D] extends StoreFactory<infer S> ? S : never;
};

/** The database handle of each backend. */
export interface BackendDatabase {
  sqlite: SqliteDatabase;
  postgres: PgDatabase;
}

/** Builds every domain's store on `db` (one backend's handle). */
export function openDomainStores<B extends keyof BackendDatabase>(
  backend: B,
  db: BackendDatabase[B],
): DomainStores {
  const stores: Record<string, unknown> = {};
  for (const [name, factory] of Object.entries(domainStores)) {
    stores[name] = (factory[backend] as (db: BackendDatabase[B]) => unknown)(db);
  }
  return stores as DomainStores;
}

/** Releases what the domain stores hold (listeners, dedicated connections), before the database. */
export async function closeDomainStores(stores: DomainStores): Promise<void> {
  for (const name of Object.keys(domainStores) as StoredDomain[]) {
    const store = stores[name] as { close?: () => Promise<void> };
    await store.close?.();
  }
}
