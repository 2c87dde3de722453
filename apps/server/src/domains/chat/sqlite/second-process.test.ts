import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliServer, overHttp, startCli } from "../../../security/cli-process.js";
import { testBackend } from "../../../storage/postgres/test-store.js";
import { registerAgent, type TestAgent } from "../../../testing/index.js";
import { drain, nowCursor, summary } from "../../events/event-fixtures.js";
import { block, createGroup, openDirect, send } from "../chat-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "fluxra-chat-processes-"));
const servers: CliServer[] = [];
let sender: ReturnType<typeof overHttp>;
let changer: ReturnType<typeof overHttp>;
let alice: TestAgent;
let bob: TestAgent;
let carol: TestAgent;

// Two real CLI processes on one SQLite file. Every send goes through `sender`, which has already
// served sends to the same conversations (so anything it keeps in memory is warm); memberships
// and blocks change through `changer`. The next send must see each change: nothing the sender
// process remembers may outlive a commit of another process.
describe.skipIf(testBackend === "postgres")(
  "sends while another process changes memberships and blocks",
  () => {
    beforeAll(async () => {
      const db = join(dir, "shared.db");
      for (let i = 0; i < 2; i++) servers.push(await startCli(db, { FLUXRA_RATE_LIMITS: "off" }));
      sender = overHttp((servers[0] as CliServer).baseUrl);
      changer = overHttp((servers[1] as CliServer).baseUrl);
      alice = await registerAgent(sender);
      bob = await registerAgent(sender);
      carol = await registerAgent(sender);
    });
    afterAll(async () => {
      for (const s of servers) if (s.child.exitCode === null) await s.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it("a member removed by the other process cannot send at its next request", async () => {
      const group = await createGroup(sender, alice, [bob, carol]);
      await send(sender, carol, group.id, "while a member");
      const removed = await changer.request(`/api/conversations/${group.id}/members/${carol.id}`, {
        method: "DELETE",
        token: alice.accessToken,
      });
      expect(removed.status).toBe(204);
      const refused = await sender.request(`/api/conversations/${group.id}/messages`, {
        method: "POST",
        token: carol.accessToken,
        json: { content: "after removal" },
      });
      expect(refused.status).toBe(404);
      expect(refused.body.error.code).toBe("not_found");
      // Added back by the other process: the next send goes through, with the next seq.
      const added = await changer.request(`/api/conversations/${group.id}/members`, {
        method: "POST",
        token: alice.accessToken,
        json: { agent_id: carol.id },
      });
      expect(added.status).toBe(201);
      const back = await send(sender, carol, group.id, "back");
      expect(back.seq).toBe(2);
    });

    it("a block made by the other process applies to the next send and its events", async () => {
      const group = await createGroup(sender, alice, [bob, carol]);
      const dm = await openDirect(sender, alice, bob);
      await send(sender, alice, dm.id, "before the block");
      await send(sender, alice, group.id, "before the block");
      const [bobStart, carolStart] = [await nowCursor(sender, bob), await nowCursor(sender, carol)];
      expect((await block(changer, bob, "agents", alice.id)).status).toBe(201);
      const refused = await sender.request(`/api/conversations/${dm.id}/messages`, {
        method: "POST",
        token: alice.accessToken,
        json: { content: "after the block" },
      });
      expect(refused.status).toBe(403);
      await send(sender, alice, group.id, "to the group");
      await send(sender, carol, group.id, "from carol");
      expect(summary((await drain(sender, bob, bobStart)).events)).toEqual([
        "message.created:from carol",
      ]);
      expect(summary((await drain(sender, carol, carolStart)).events)).toEqual([
        "message.created:to the group",
        "message.created:from carol",
      ]);
      // Unblocked by the other process: the direct conversation takes sends again.
      const unblocked = await changer.request(`/api/blocks/agents/${alice.id}`, {
        method: "DELETE",
        token: bob.accessToken,
      });
      expect(unblocked.status).toBe(204);
      expect((await send(sender, alice, dm.id, "after the unblock")).seq).toBe(2);
    });
  },
);
