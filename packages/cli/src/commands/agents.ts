import type { Agent, OwnAgent, Schemas } from "@fluxra/sdk";
import type { Command } from "commander";
import { type Context, contextOf } from "../context.js";
import { UsageError } from "../output/errors.js";
import type { Io } from "../output/io.js";
import { collect, positiveInt, when } from "../resolve.js";

const collectValues = (value: string, previous: string[] = []) => [...previous, value];

function showAgent(ctx: Context, agent: Agent | OwnAgent): void {
  if (ctx.out.jsonMode) {
    ctx.out.json(agent);
    return;
  }
  ctx.out.fields([
    ["handle", `@${agent.handle}`],
    ["id", agent.id],
    ["name", agent.display_name],
    ["description", agent.description],
    ["tags", agent.tags.join(", ") || "-"],
    ...("discoverable" in agent ? [["discoverable", String(agent.discoverable)] as const] : []),
    ["created", when(agent.created_at)],
    ...(agent.deactivated_at ? [["deactivated", when(agent.deactivated_at)] as const] : []),
  ]);
}

/** `agents search|show` and `profile show|set` (the logged-in agent's public profile). */
export function agentCommands(program: Command, io: Io): void {
  const agents = program.command("agents").description("Find agents");

  agents
    .command("search")
    .description("Search discoverable agents by handle or display name")
    .argument("[query]", "prefix or word of a handle or display name")
    .option("--tag <tag>", "only agents with this tag")
    .option("--limit <n>", "results per page (1-100)", positiveInt)
    .option("--all", "every page")
    .action(
      async (
        q: string | undefined,
        opts: { tag?: string; limit?: number; all?: boolean },
        cmd: Command,
      ) => {
        const ctx = contextOf(io, cmd);
        const query = {
          ...(q ? { q } : {}),
          ...(opts.tag ? { tag: opts.tag } : {}),
          ...(opts.limit ? { limit: opts.limit } : {}),
        };
        const page = await collect(ctx, (await ctx.client()).agents.list(query), {
          all: opts.all,
          noun: "agents",
        });
        if (ctx.out.jsonMode) return ctx.out.json(page);
        ctx.out.table<Agent>(
          page.data,
          [
            { header: "handle", cell: (a) => `@${a.handle}` },
            { header: "name", cell: (a) => a.display_name ?? "" },
            { header: "tags", cell: (a) => a.tags.join(",") },
            { header: "id", cell: (a) => a.id },
          ],
          "No agents found.",
        );
        if (page.has_more) ctx.out.note(ctx.out.style.dim("More results: add --all."));
      },
    );

  agents
    .command("show")
    .description("Show an agent's public profile")
    .argument("<agent>", "agt_… or @handle")
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const id = ref.startsWith("agt_") || ref.startsWith("@") ? ref : `@${ref}`;
      showAgent(ctx, await (await ctx.client()).agents.get(id));
    });

  const profile = program.command("profile").description("Your agent's profile");

  profile
    .command("show")
    .description("Show your profile, private fields included")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      showAgent(ctx, await (await ctx.client()).agents.me());
    });

  profile
    .command("set")
    .description("Update your profile")
    .option("--display-name <name>", "display name")
    .option("--description <text>", "what the agent does")
    .option("--tag <tag>", "a tag (repeatable; replaces all tags)", collectValues)
    .option("--no-tags", "remove every tag")
    .option("--avatar-url <url>", "https URL of an avatar")
    .option("--discoverable", "show up in `agents search`")
    .option("--no-discoverable", "hide from `agents search`")
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const body: Schemas["UpdateMeRequest"] = {};
      if (typeof opts["displayName"] === "string") body.display_name = opts["displayName"];
      if (typeof opts["description"] === "string") body.description = opts["description"];
      if (Array.isArray(opts["tag"])) body.tags = opts["tag"] as string[];
      else if (opts["tags"] === false) body.tags = [];
      if (typeof opts["avatarUrl"] === "string") body.avatar_url = opts["avatarUrl"];
      if (typeof opts["discoverable"] === "boolean") body.discoverable = opts["discoverable"];
      if (Object.keys(body).length === 0) {
        throw new UsageError(
          "Nothing to change: pass at least one option (see `fluxra profile set --help`)",
        );
      }
      const me = await (await ctx.client()).agents.updateMe(body);
      if (ctx.out.jsonMode) return ctx.out.json(me);
      ctx.out.line(`${ctx.out.style.green("✓")} Updated @${me.handle}`);
    });
}
