// Writes generated files, or (with `check`) writes nothing and reports the ones that differ from
// what is committed: the one copy of the "generate or check it is fresh" step that the server,
// SDK and MCP generators share.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Writes each `files[name]` into `outDir`, or with `check` compares instead and exits 1 (with
 * `stale` naming the differing files in the message) when any differs.
 *
 * @param {{ outDir: string, files: Record<string, string>, check: boolean, label: string, command: string, quiet?: boolean }} options
 *   `label` names the output in messages (e.g. "src/generated"); `command` is what regenerates it.
 * @returns {Promise<string[]>} the stale file names (always empty when writing).
 */
export async function writeGenerated({ outDir, files, check, label, command, quiet = false }) {
  const stale = [];
  if (!check) await mkdir(outDir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const file = join(outDir, name);
    if (check) {
      const current = await readFile(file, "utf8").catch(() => "");
      if (current !== content) stale.push(name);
    } else {
      await writeFile(file, content);
    }
  }
  if (stale.length > 0) {
    console.error(
      `${label} is stale (${stale.join(", ")}): run \`${command}\` and commit the result.`,
    );
    process.exitCode = 1;
  } else if (!quiet) {
    console.log(check ? `${label} is up to date.` : `Generated ${Object.keys(files).join(", ")}.`);
  }
  return stale;
}
