import type { ApiKey, Schemas } from "@fluxra/sdk";
import type { Command } from "commander";
import { contextOf } from "../context.js";
import type { Io } from "../output/io.js";
import { collect, when } from "../resolve.js";

type Session = Schemas["Session"];

/** `keys list|create|revoke` and `sessions list|revoke`. */
export function keyCommands(program: Command, io: Io): void {
  const keys = program.command("keys").description("Manage api keys");

  keys
    .command("list")
    .description("List api keys (metadata only, never secrets)")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const page = await collect(ctx, (await ctx.client()).auth.listApiKeys({ limit: 100 }), {
        all: true,
        noun: "keys",
      });
      if (ctx.out.jsonMode) return ctx.out.json(page);
      ctx.out.table<ApiKey>(page.data, [
        { header: "id", cell: (k) => k.id },
        { header: "name", cell: (k) => k.name },
        { header: "prefix", cell: (k) => k.prefix },
        { header: "created", cell: (k) => when(k.created_at) },
        { header: "last used", cell: (k) => when(k.last_used_at) },
        { header: "status", cell: (k) => (k.revoked_at ? "revoked" : "active") },
      ]);
    });

  keys
    .command("create")
    .description("Create an api key; its secret is printed this once")
    .argument("<name>", "a name to recognise it by")
    .option("--expires-at <time>", "RFC 3339 expiry, e.g. 2027-01-01T00:00:00.000Z")
    .action(async (name: string, opts: { expiresAt?: string }, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const client = await ctx.client();
      const created = await client.auth.createApiKey({
        name,
        ...(opts.expiresAt ? { expires_at: opts.expiresAt } : {}),
      });
      if (ctx.out.jsonMode) return ctx.out.json(created);
      ctx.out.note(
        `Created api key "${created.key.name}" (${created.key.id}). Its secret, shown once:`,
      );
      ctx.out.line(created.api_key);
    });

  keys
    .command("revoke")
    .description("Revoke an api key and every session it opened")
    .argument("<key-id>", "key_…")
    .action(async (keyId: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      await (await ctx.client()).auth.revokeApiKey(keyId);
      if (ctx.out.jsonMode) return ctx.out.json({ id: keyId, revoked: true });
      ctx.out.line(`Revoked api key ${keyId}.`);
    });

  const sessions = program.command("sessions").description("Manage sessions (logins)");

  sessions
    .command("list")
    .description("List live sessions; * marks this one")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      const page = await collect(ctx, (await ctx.client()).auth.listSessions({ limit: 100 }), {
        all: true,
        noun: "sessions",
      });
      if (ctx.out.jsonMode) return ctx.out.json(page);
      ctx.out.table<Session>(page.data, [
        { header: "", cell: (s) => (s.current ? "*" : "") },
        { header: "id", cell: (s) => s.id },
        { header: "api key", cell: (s) => s.api_key_id },
        { header: "created", cell: (s) => when(s.created_at) },
        { header: "expires", cell: (s) => when(s.expires_at) },
      ]);
    });

  sessions
    .command("revoke")
    .description("Revoke a session: its access tokens stop working at once")
    .argument("<session-id>", "ses_…")
    .action(async (sessionId: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(io, cmd);
      await (await ctx.client()).auth.revokeSession(sessionId);
      if (ctx.out.jsonMode) return ctx.out.json({ id: sessionId, revoked: true });
      ctx.out.line(`Revoked session ${sessionId}.`);
    });
}
