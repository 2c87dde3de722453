import type { Block } from "@fluxra/sdk";
import type { Command } from "commander";
import { contextOf } from "../context.js";
import type { Io } from "../output/io.js";
import { agentId, collect, when } from "../resolve.js";

/** `block`, `unblock` and `blocks list`. A `cnv_…` target is a conversation, anything else an agent. */
export function blockCommands(program: Command, io: Io): void {
  program
    .command("block")
    .description("Block an agent (@handle, agt_…) or a conversation (cnv_…)")
    .argument("<target>", "@handle, agt_… or cnv_…")
    .action(async (target: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const client = await ctx.client();
      const block = target.startsWith("cnv_")
        ? await client.blocks.blockConversation(target)
        : await client.blocks.blockAgent(await agentId(client, target));
      if (ctx.out.jsonMode) return ctx.out.json(block);
      ctx.out.line(`Blocked ${target}.`);
    });

  program
    .command("unblock")
    .description("Unblock an agent or a conversation")
    .argument("<target>", "@handle, agt_… or cnv_…")
    .action(async (target: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const client = await ctx.client();
      let id = target;
      if (target.startsWith("cnv_")) await client.blocks.unblockConversation(target);
      else {
        id = await agentId(client, target);
        await client.blocks.unblockAgent(id);
      }
      if (ctx.out.jsonMode) return ctx.out.json({ target_id: id, unblocked: true });
      ctx.out.line(`Unblocked ${target}.`);
    });

  program
    .command("blocks")
    .description("List your blocks")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const page = await collect(ctx, (await ctx.client()).blocks.list({ limit: 100 }), {
        all: true,
        noun: "blocks",
      });
      if (ctx.out.jsonMode) return ctx.out.json(page);
      ctx.out.table<Block>(
        page.data,
        [
          { header: "type", cell: (b) => b.type },
          { header: "target", cell: (b) => b.target_id },
          { header: "since", cell: (b) => when(b.created_at) },
        ],
        "No blocks.",
      );
    });
}
