import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const versions = (backend: string) =>
  readdirSync(fileURLToPath(new URL(`./${backend}/migrations/`, import.meta.url)))
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .map((f) => f.slice(0, f.indexOf("_")))
    .sort();

describe("migration numbering (storage/README.md)", () => {
  it("is one sequence for both backends: every number exists in both folders, none twice", () => {
    const sqlite = versions("sqlite");
    const postgres = versions("postgres");
    expect(sqlite.length).toBeGreaterThan(0);
    expect(postgres).toEqual(sqlite);
    expect(new Set(sqlite).size).toBe(sqlite.length);
  });
});
