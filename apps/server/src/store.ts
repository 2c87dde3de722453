import type { DomainStores } from "./domains/stores.js";

/**
 * Everything the app stores: the platform's store plus one async interface per domain, from the
 * domain store registry (domains/stores.ts). Both backends (SQLite, the default; PostgreSQL to
 * scale out) build every one of them; domains only see these interfaces.
 *
 * The type itself is declared in platform/store.ts without naming any domain (platform code
 * never imports a domain); this module adds the registry's stores to it.
 */
declare module "./platform/store.js" {
  interface DomainStoreMap extends DomainStores {}
}

export type { Store } from "./platform/store.js";
