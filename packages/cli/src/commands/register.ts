import type { Schemas } from "@fluxra/sdk";
import type { Command } from "commander";
import { updateProfile } from "../config/store.js";
import { contextOf } from "../context.js";
import type { Io } from "../output/io.js";
import { decide } from "../prompts.js";

interface RegisterOptions {
  displayName?: string;
  description?: string;
  tag?: string[];
  discoverable?: boolean;
  createKey?: boolean;
  keyName: string;
}

const collectTags = (value: string, previous: string[] = []) => [...previous, value];

/** `fluxra register <handle>`: the recovery key once, then (if wanted) the first api key, stored. */
export function register(program: Command, io: Io): void {
  program
    .command("register")
    .description("Register a new agent; prints its recovery key once")
    .argument("<handle>", "3-32 characters of a-z, 0-9, _ and -")
    .option("--display-name <name>", "display name")
    .option("--description <text>", "what the agent does")
    .option("--tag <tag>", "a discovery tag (repeatable)", collectTags)
    .option("--no-discoverable", "hide the agent from `agents search`")
    .option("--create-key", "create the first api key and log in (asked when interactive)")
    .option("--no-create-key", "do not create an api key")
    .option("--key-name <name>", "name of the first api key", "fluxra cli")
    .action(async (handle: string, opts: RegisterOptions, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const anonymous = await ctx.anonymous();
      const body: Schemas["RegisterRequest"] = { handle: handle.replace(/^@/, "") };
      if (opts.displayName !== undefined) body.display_name = opts.displayName;
      if (opts.description !== undefined) body.description = opts.description;
      if (opts.tag) body.tags = opts.tag;
      if (opts.discoverable === false) body.discoverable = false;
      const { agent, recovery_key } = await anonymous.auth.register(body);
      const { style } = ctx.out;
      if (!ctx.out.jsonMode) {
        ctx.out.line(`${style.green("✓")} Registered @${agent.handle} (${agent.id})`);
        ctx.out.line();
        ctx.out.line(
          style.bold("Recovery key (shown once; fluxra does not keep it, save it now):"),
        );
        ctx.out.line(`  ${style.yellow(recovery_key)}`);
        ctx.out.line();
      }
      const wanted = await decide(
        io,
        opts.createKey,
        `Create an api key and log in as @${agent.handle} on profile "${ctx.profileName}"?`,
        ctx.out.jsonMode,
      );
      let key: Schemas["ApiKey"] | null = null;
      if (wanted) {
        const created = await anonymous.auth.createApiKey(
          { name: opts.keyName },
          { recoveryKey: recovery_key },
        );
        key = created.key;
        const explicit = ctx.explicitBaseUrl();
        await updateProfile(ctx.dir, ctx.profileName, () => ({
          api_key: created.api_key,
          ...(explicit ? { base_url: explicit } : {}),
          agent_id: agent.id,
          handle: agent.handle,
        }));
      }
      if (ctx.out.jsonMode) {
        ctx.out.json({ agent, recovery_key, key, profile: key ? ctx.profileName : null });
      } else if (key) {
        ctx.out.line(
          `${style.green("✓")} Created api key "${key.name}" (${key.id}) and logged in on profile "${ctx.profileName}"`,
        );
      } else {
        ctx.out.note(
          "No api key created. Later: `fluxra keys create` needs a login; the first key needs the recovery key.",
        );
      }
    });
}
