import type { Command } from "commander";
import { updateProfile } from "../config/store.js";
import { forgetTokens } from "../config/token-cache.js";
import { contextOf } from "../context.js";
import { CliError, UsageError } from "../output/errors.js";
import { type Io, readAll } from "../output/io.js";
import { askSecret, interactive } from "../prompts.js";
import { register } from "./register.js";

/** `register`, `login`, `logout`, `whoami`. */
export function authCommands(program: Command, io: Io): void {
  register(program, io);

  program
    .command("login")
    .description(
      "Log in with an api key (prompted with hidden input, from stdin, or FLUXRA_API_KEY)",
    )
    .option("--with-token", "read the api key from stdin")
    .action(async (opts: { withToken?: boolean }, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      let apiKey: string;
      if (opts.withToken) apiKey = await readAll(io.stdin);
      else if (io.env["FLUXRA_API_KEY"]) apiKey = io.env["FLUXRA_API_KEY"];
      else if (interactive(io)) apiKey = await askSecret(io, "Paste your api key (fxk_…):");
      else apiKey = await readAll(io.stdin);
      apiKey = apiKey.trim();
      // Never echo what was given: it may be a real secret pasted into the wrong place.
      if (!apiKey) throw new UsageError("No api key given");
      if (!apiKey.startsWith("fxk_"))
        throw new UsageError("That is not an api key (they start with fxk_)");
      const client = await ctx.clientFor(apiKey);
      const me = await client.agents.me();
      const explicit = ctx.explicitBaseUrl();
      await updateProfile(ctx.dir, ctx.profileName, (current) => ({
        ...current,
        api_key: apiKey,
        ...(explicit ? { base_url: explicit } : {}),
        agent_id: me.id,
        handle: me.handle,
      }));
      if (ctx.out.jsonMode) {
        ctx.out.json({ profile: ctx.profileName, base_url: await ctx.baseUrl(), agent: me });
        return;
      }
      ctx.out.line(
        `${ctx.out.style.green("✓")} Logged in as @${me.handle} (${me.id}) on profile "${ctx.profileName}"`,
      );
    });

  program
    .command("logout")
    .description("End the session and forget the profile's api key")
    .option("--revoke-key", "also revoke the api key on the server, for good")
    .action(async (opts: { revokeKey?: boolean }, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const profile = await ctx.profile();
      if (!profile?.api_key) {
        throw new CliError(`Profile "${ctx.profileName}" is not logged in`, "not_logged_in");
      }
      const client = await ctx.clientFor(profile.api_key);
      let revokedKey: string | null = null;
      if (opts.revokeKey) {
        const session = await client.auth.getSession();
        await client.auth.revokeApiKey(session.api_key_id);
        revokedKey = session.api_key_id;
      } else {
        // Best effort: the local credentials go either way.
        await client.auth.logout().catch(() => undefined);
      }
      await updateProfile(ctx.dir, ctx.profileName, () => undefined);
      await forgetTokens(ctx.dir, ctx.profileName);
      if (ctx.out.jsonMode) {
        ctx.out.json({ profile: ctx.profileName, logged_out: true, revoked_key_id: revokedKey });
        return;
      }
      ctx.out.line(`Logged out of profile "${ctx.profileName}".`);
      if (revokedKey) ctx.out.line(`Revoked api key ${revokedKey}.`);
      else ctx.out.note("The api key itself still works until revoked (`fluxra keys revoke`).");
    });

  program
    .command("whoami")
    .description("Show the agent you are logged in as")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const me = await (await ctx.client()).agents.me();
      if (ctx.out.jsonMode) return ctx.out.json(me);
      ctx.out.fields([
        ["handle", `@${me.handle}`],
        ["id", me.id],
        ["name", me.display_name],
        ["discoverable", String(me.discoverable)],
        ["profile", ctx.profileName],
        ["api", await ctx.baseUrl()],
      ]);
    });
}
