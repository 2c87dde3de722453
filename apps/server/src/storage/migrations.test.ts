import { readdirSync } from "node:fs";
import { basename, dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { findMigrations, LEGACY_VERSIONS, MIGRATION_FILE, migrationDirs } from "./migrations.js";

const sqlite = findMigrations("sqlite");
const postgres = findMigrations("postgres");
/** A migration as "<folder of its domain>/<file>", so a twin must live in the same domain. */
const place = (path: string) => `${basename(dirname(dirname(dirname(path))))}/${basename(path)}`;

describe("migrations (storage/README.md)", () => {
  it("every SQLite migration has its PostgreSQL twin in the same domain, and no other", () => {
    expect(sqlite.length).toBeGreaterThan(0);
    expect(postgres.map((m) => place(m.path))).toEqual(sqlite.map((m) => place(m.path)));
  });

  it("are found in the engines' folder and in domain folders, named by timestamp", () => {
    const domains = new Set(sqlite.map((m) => basename(dirname(dirname(dirname(m.path))))));
    expect(domains).toContain("storage");
    expect(domains).toContain("chat");
    expect(domains).toContain("events");
    for (const m of [...sqlite, ...postgres]) expect(m.name).toMatch(/^\d{8}T\d{4}_[a-z0-9_]+$/);
  });

  it("leave no .sql file in a migration folder that the runner would skip", () => {
    for (const backend of ["sqlite", "postgres"] as const) {
      for (const dir of migrationDirs(backend)) {
        let files: string[] = [];
        try {
          files = readdirSync(dir);
        } catch {
          continue; // a domain without migrations
        }
        for (const f of files) expect(f).toMatch(MIGRATION_FILE);
      }
    }
  });

  it("map every numbered version of older databases to a migration of both backends", () => {
    const names = Object.values(LEGACY_VERSIONS);
    expect(Object.keys(LEGACY_VERSIONS).map(Number)).toEqual([1, 10, 11, 12, 13, 14, 15]);
    for (const list of [sqlite, postgres]) {
      expect(names.every((n) => list.some((m) => m.name === n))).toBe(true);
      // In the order they were numbered: taking them over never reorders history.
      const positions = names.map((n) => list.findIndex((m) => m.name === n));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  });
});
