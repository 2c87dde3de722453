import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Writes `value` as JSON readable by the owner only (0600, in a 0700 dir). It goes through a temp
 * file and a rename, so a crash never leaves half a file and the file is never readable by others,
 * not even for a moment.
 */
export async function writeSecretJson(dir: string, name: string, value: unknown): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const target = join(dir, name);
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  // `mode` is masked by the umask: set it explicitly.
  await chmod(temp, 0o600);
  await rename(temp, target);
}
