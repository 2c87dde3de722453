import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The two storage engines; each has its own SQL dialect and so its own migration files. */
export type Backend = "sqlite" | "postgres";

/** One migration file: `name` is its file name without `.sql` (`20261130T0200_chat`). */
export interface Migration {
  name: string;
  path: string;
}

/**
 * Migration file names: a UTC timestamp (`YYYYMMDDTHHMM`), then what it does. Sorting by name
 * is applying in time order across every domain; two domains never share a name.
 */
export const MIGRATION_FILE = /^(\d{8}T\d{4}_[a-z0-9_]+)\.sql$/;

/**
 * Databases created before per-domain migrations recorded numbered versions (`001`…`015`) in
 * `schema_migrations`. Each number is the same change as one timestamped file here: a database
 * that recorded the number has that file applied. Frozen: new migrations never get a number.
 */
export const LEGACY_VERSIONS: Readonly<Record<number, string>> = {
  1: "20261130T0100_platform",
  10: "20261130T0200_chat",
  11: "20261130T0300_chat_unread_counts",
  12: "20261130T0400_message_versions",
  13: "20261130T0500_idempotency_append_only",
  14: "20261206T2200_events",
  15: "20261206T2300_sessions_capped_by_key",
};

/** The table that records applied migrations by name (`schema_migrations` is the legacy one). */
export const APPLIED_TABLE = "applied_migrations";

/** The migrations of one folder, by name. */
export function migrationsIn(dir: string): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((file) => {
    const name = MIGRATION_FILE.exec(file)?.[1];
    return name === undefined ? [] : [{ name, path: join(dir, file) }];
  });
}

/**
 * The folders migrations are read from, for `backend`: the engines' own
 * (`storage/migrations/<backend>`) and every domain's (`domains/<d>/migrations/<backend>`), so a
 * new domain's folder is picked up without a list to edit. In the built package (one bundle in
 * `dist/`), the build copies all of them into `dist/migrations/<backend>`.
 */
export function migrationDirs(backend: Backend, here = moduleDir()): string[] {
  const dirs = [join(here, "migrations", backend)];
  const domains = join(here, "..", "domains");
  if (existsSync(domains)) {
    for (const domain of readdirSync(domains).sort()) {
      dirs.push(join(domains, domain, "migrations", backend));
    }
  }
  return dirs;
}

/**
 * Every migration of `backend` in the order to apply it (by name).
 *
 * @throws {Error} when none is found (a broken install) or two files share a name.
 */
export function findMigrations(backend: Backend, dirs = migrationDirs(backend)): Migration[] {
  const all = dirs.flatMap(migrationsIn).sort((a, b) => a.name.localeCompare(b.name));
  if (all.length === 0) throw new Error(`${backend} migrations not found in ${dirs.join(", ")}`);
  for (let i = 1; i < all.length; i++) {
    const [prev, cur] = [all[i - 1] as Migration, all[i] as Migration];
    if (prev.name === cur.name) {
      throw new Error(`two migrations named ${cur.name}: ${prev.path} and ${cur.path}`);
    }
  }
  return all;
}

/** The SQL text of a migration. */
export const migrationSql = (m: Migration): string => readFileSync(m.path, "utf8");

/**
 * The names a legacy database already has applied, from the numbered versions it recorded:
 * every version maps to its file, so nothing is run twice.
 *
 * @throws {Error} for a recorded version this server does not know (a newer numbered server).
 */
export function legacyNames(versions: readonly number[]): string[] {
  return versions.map((v) => {
    const name = LEGACY_VERSIONS[v];
    if (name === undefined) throw new Error(`unknown legacy migration version ${v}`);
    return name;
  });
}

function moduleDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}
