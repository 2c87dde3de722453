import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { StoredToken, TokenStore } from "@fluxra/sdk";
import { writeSecretJson } from "./secret-file.js";

const FILE = "tokens.json";

type Tokens = Record<string, Record<string, StoredToken>>;

async function load(dir: string): Promise<Tokens> {
  try {
    return JSON.parse(await readFile(join(dir, FILE), "utf8")) as Tokens;
  } catch {
    // A missing or damaged cache only costs one token exchange.
    return {};
  }
}

/**
 * Keeps access tokens between runs (0600, beside the profiles) so each `fluxra` command does not
 * open a new session. Grouped by profile, so logging out can drop them all; inside, entries are
 * keyed by the SDK's key (derived from the api key's public prefix, never the secret).
 */
export function fileTokenStore(dir: string, profile: string): TokenStore {
  const change = async (edit: (mine: Record<string, StoredToken>) => void) => {
    const all = await load(dir);
    const mine = all[profile] ?? {};
    edit(mine);
    all[profile] = mine;
    await writeSecretJson(dir, FILE, all);
  };
  return {
    get: async (key) => (await load(dir))[profile]?.[key],
    set: (key, token) =>
      change((mine) => {
        mine[key] = token;
      }),
    delete: (key) =>
      change((mine) => {
        delete mine[key];
      }),
  };
}

/** Forgets every cached access token of `profile` (on logout). */
export async function forgetTokens(dir: string, profile: string): Promise<void> {
  const all = await load(dir);
  if (!(profile in all)) return;
  delete all[profile];
  await writeSecretJson(dir, FILE, all);
}
