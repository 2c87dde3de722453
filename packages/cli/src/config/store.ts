import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeSecretJson } from "./secret-file.js";

/** One named set of credentials. The api key is a secret: it is never printed once stored. */
export interface Profile {
  api_key?: string;
  base_url?: string;
  agent_id?: string;
  handle?: string;
}

/** The whole credentials file. */
export interface CredentialsFile {
  profiles: Record<string, Profile>;
}

/** The profile used when neither `--profile` nor `FLUXRA_PROFILE` names one. */
export const DEFAULT_PROFILE = "default";

const FILE = "credentials.json";

/** Reads the credentials file of `dir` (an empty one when it does not exist yet). */
export async function readCredentials(dir: string): Promise<CredentialsFile> {
  let text: string;
  try {
    text = await readFile(join(dir, FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { profiles: {} };
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<CredentialsFile>;
  return { profiles: parsed.profiles ?? {} };
}

/** Writes the credentials file, readable by the owner only (0600). */
export async function writeCredentials(dir: string, file: CredentialsFile): Promise<void> {
  await writeSecretJson(dir, FILE, file);
}

/** Applies `change` to one profile and saves; `undefined` from `change` deletes the profile. */
export async function updateProfile(
  dir: string,
  name: string,
  change: (current: Profile | undefined) => Profile | undefined,
): Promise<void> {
  const file = await readCredentials(dir);
  const next = change(file.profiles[name]);
  if (next === undefined) delete file.profiles[name];
  else file.profiles[name] = next;
  await writeCredentials(dir, file);
}
