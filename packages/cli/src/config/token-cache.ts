import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { StoredToken, TokenStore } from "@fluxra/sdk";
import { writeSecretJson } from "./secret-file.js";

const FILE = "tokens.json";

/**
 * Keeps access tokens between runs (0600, beside the profiles) so each `fluxra` command does not
 * open a new session. Entries are keyed by the SDK's key (the api key's public prefix).
 */
export function fileTokenStore(dir: string): TokenStore {
  const path = join(dir, FILE);
  const load = async (): Promise<Record<string, StoredToken>> => {
    try {
      return JSON.parse(await readFile(path, "utf8")) as Record<string, StoredToken>;
    } catch {
      // A missing or damaged cache only costs one token exchange.
      return {};
    }
  };
  return {
    get: async (key) => (await load())[key],
    set: async (key, token) => {
      const all = await load();
      all[key] = token;
      await writeSecretJson(dir, FILE, all);
    },
    delete: async (key) => {
      const all = await load();
      delete all[key];
      await writeSecretJson(dir, FILE, all);
    },
  };
}
