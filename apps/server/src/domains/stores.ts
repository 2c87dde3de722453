import { folderStores } from "../generated/domains.js";
import type { SpecDomainName } from "../generated/spec.js";
import type { PgDatabase } from "../storage/postgres/database.js";
import type { SqliteDatabase } from "../storage/sqlite/database.js";
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
 * implementations. A folder following the store convention (`store.ts` with `<Tag>Store`,
 * `sqlite-store.ts` with `createSqlite<Tag>Store`, `postgres-store.ts` with `createPg<Tag>Store`)
 * is picked up by the generator (generated/domains.ts) without an edit here; the domains whose
 * storage is laid out otherwise are listed below. The app's `Store` type and both backends' store
 * assembly are derived from this one table. Keys are checked against the spec's tags (a domain
 * without storage, like health, has none).
 */
export const domainStores = {
  ...folderStores,
  chat: storeOf<ChatStore>({
    sqlite: (db) => createSqliteChatStore(db),
    postgres: (db) => createPgChatStore(db),
  }),
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
