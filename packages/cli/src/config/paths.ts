import { homedir } from "node:os";
import { join } from "node:path";

/** Where the environment and platform say user configuration lives. */
export interface ConfigLocation {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  home: string;
}

/**
 * The directory holding `fluxra`'s profiles: `FLUXRA_CONFIG_DIR` when set, otherwise the
 * platform's user config dir (`$XDG_CONFIG_HOME/fluxra` or `~/.config/fluxra` on Linux,
 * `~/Library/Application Support/fluxra` on macOS, `%APPDATA%\fluxra` on Windows).
 * @example configDir() // "/home/ada/.config/fluxra"
 */
export function configDir(
  location: ConfigLocation = { env: process.env, platform: process.platform, home: homedir() },
): string {
  const { env, platform, home } = location;
  if (env["FLUXRA_CONFIG_DIR"]) return env["FLUXRA_CONFIG_DIR"];
  if (platform === "win32")
    return join(env["APPDATA"] ?? join(home, "AppData", "Roaming"), "fluxra");
  if (platform === "darwin") return join(home, "Library", "Application Support", "fluxra");
  const xdg = env["XDG_CONFIG_HOME"];
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  return join(xdg?.startsWith("/") ? xdg : join(home, ".config"), "fluxra");
}
