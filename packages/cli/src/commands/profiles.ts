import type { Command } from "commander";
import { readCredentials } from "../config/store.js";
import { contextOf } from "../context.js";
import type { Io } from "../output/io.js";

/** `fluxra profiles`: the stored credential profiles, never their secrets. */
export function profilesCommand(program: Command, io: Io): void {
  program
    .command("profiles")
    .description("List stored credential profiles (the api keys themselves are never shown)")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const { profiles } = await readCredentials(ctx.dir);
      const rows = Object.entries(profiles).map(([name, p]) => ({
        name,
        current: name === ctx.profileName,
        handle: p.handle ?? null,
        agent_id: p.agent_id ?? null,
        base_url: p.base_url ?? null,
        logged_in: Boolean(p.api_key),
      }));
      if (ctx.out.jsonMode) return ctx.out.json({ config_dir: ctx.dir, profiles: rows });
      ctx.out.table(
        rows,
        [
          { header: "", cell: (r) => (r.current ? "*" : "") },
          { header: "profile", cell: (r) => r.name },
          { header: "agent", cell: (r) => (r.handle ? `@${r.handle}` : "-") },
          { header: "api", cell: (r) => r.base_url ?? "(default)" },
        ],
        `No profiles in ${ctx.dir}. Run \`fluxra login\` or \`fluxra register\`.`,
      );
    });
}
