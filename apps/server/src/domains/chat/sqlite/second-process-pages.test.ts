import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliServer, overHttp, startCli } from "../../../security/cli-process.js";
import { testBackend } from "../../../storage/postgres/test-store.js";
import { registerAgent, type TestAgent } from "../../../testing/index.js";
import { block, createGroup, get, openDirect, send } from "../chat-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "fluxra-chat-pages-"));
const servers: CliServer[] = [];
let reader: ReturnType<typeof overHttp>;
let changer: ReturnType<typeof overHttp>;
let alice: TestAgent;
let bob: TestAgent;
let carol: TestAgent;

const messagesOf = (id: string) => `/api/conversations/${id}/messages`;
/** The contents of `caller`'s newest page of `id`, read twice (the second from memory, if kept). */
async function page(
  caller: TestAgent,
  id: string,
): Promise<{ status: number; contents: string[] }> {
  const first = await get(reader, caller, messagesOf(id));
  const again = await get(reader, caller, messagesOf(id));
  expect(again.status).toBe(first.status);
  expect(again.text).toBe(first.text);
  const contents =
    first.status === 200 ? first.body.data.map((m: { content: string }) => m.content) : [];
  return { status: first.status, contents };
}

// Two real CLI processes on one SQLite file. Every message page is read through `reader`, which
// keeps each page's access facts (membership, the conversation's version, the caller's blocks)
// in memory once it has served it; everything changes through `changer`. The next page must
// reflect each change: a kept fact may never outlive another process's commit.
describe.skipIf(testBackend === "postgres")(
  "message pages while another process changes memberships, blocks and messages",
  () => {
    beforeAll(async () => {
      const db = join(dir, "shared.db");
      for (let i = 0; i < 2; i++) servers.push(await startCli(db, { FLUXRA_RATE_LIMITS: "off" }));
      reader = overHttp((servers[0] as CliServer).baseUrl);
      changer = overHttp((servers[1] as CliServer).baseUrl);
      alice = await registerAgent(reader);
      bob = await registerAgent(reader);
      carol = await registerAgent(reader);
    });
    afterAll(async () => {
      for (const s of servers) if (s.child.exitCode === null) await s.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it("a member removed by the other process cannot read the next page, nor a message", async () => {
      const group = await createGroup(reader, alice, [bob, carol]);
      const hello = await send(reader, alice, group.id, "hello");
      expect(await page(carol, group.id)).toEqual({ status: 200, contents: ["hello"] });
      expect((await get(reader, carol, `${messagesOf(group.id)}/${hello.id}`)).status).toBe(200);
      const removed = await changer.request(`/api/conversations/${group.id}/members/${carol.id}`, {
        method: "DELETE",
        token: alice.accessToken,
      });
      expect(removed.status).toBe(204);
      const refused = await get(reader, carol, messagesOf(group.id));
      expect(refused.status).toBe(404);
      expect(refused.body.error.code).toBe("not_found");
      expect((await get(reader, carol, `${messagesOf(group.id)}/${hello.id}`)).status).toBe(404);
      // The others keep reading; added back by the other process, carol reads again.
      expect(await page(bob, group.id)).toEqual({ status: 200, contents: ["hello"] });
      const added = await changer.request(`/api/conversations/${group.id}/members`, {
        method: "POST",
        token: alice.accessToken,
        json: { agent_id: carol.id },
      });
      expect(added.status).toBe(201);
      expect(await page(carol, group.id)).toEqual({ status: 200, contents: ["hello"] });
    });

    it("a member who left through the other process cannot read the next page", async () => {
      const group = await createGroup(reader, alice, [bob]);
      await send(reader, alice, group.id, "before leaving");
      expect((await page(bob, group.id)).status).toBe(200);
      const left = await changer.request(`/api/conversations/${group.id}/leave`, {
        method: "POST",
        token: bob.accessToken,
      });
      expect(left.status).toBe(204);
      expect((await get(reader, bob, messagesOf(group.id))).status).toBe(404);
    });

    it("a block made by the other process hides the author from the next page, and an unblock shows it", async () => {
      const group = await createGroup(reader, alice, [bob, carol]);
      await send(reader, alice, group.id, "from alice");
      await send(reader, carol, group.id, "from carol");
      expect((await page(bob, group.id)).contents).toEqual(["from carol", "from alice"]);
      expect((await block(changer, bob, "agents", carol.id)).status).toBe(201);
      expect((await page(bob, group.id)).contents).toEqual(["from alice"]);
      // Only bob's pages change.
      expect((await page(alice, group.id)).contents).toEqual(["from carol", "from alice"]);
      const unblocked = await changer.request(`/api/blocks/agents/${carol.id}`, {
        method: "DELETE",
        token: bob.accessToken,
      });
      expect(unblocked.status).toBe(204);
      expect((await page(bob, group.id)).contents).toEqual(["from carol", "from alice"]);
    });

    it("messages sent, edited and deleted by the other process are on the next page", async () => {
      const dm = await openDirect(reader, alice, bob);
      await send(reader, alice, dm.id, "first");
      expect((await page(bob, dm.id)).contents).toEqual(["first"]);
      const second = await send(changer, alice, dm.id, "second");
      expect((await page(bob, dm.id)).contents).toEqual(["second", "first"]);
      const edited = await changer.request(`${messagesOf(dm.id)}/${second.id}`, {
        method: "PATCH",
        token: alice.accessToken,
        json: { content: "second, edited" },
      });
      expect(edited.status).toBe(200);
      expect((await page(bob, dm.id)).contents).toEqual(["second, edited", "first"]);
      const deleted = await changer.request(`${messagesOf(dm.id)}/${second.id}`, {
        method: "DELETE",
        token: alice.accessToken,
      });
      expect(deleted.status).toBe(200);
      const after = await get(reader, bob, messagesOf(dm.id));
      expect(after.body.data[0]).toMatchObject({ id: second.id, content: null });
      expect(after.body.data[0].deleted_at).not.toBeNull();
      // And this process's own sends after the other's: the page follows both.
      await send(reader, bob, dm.id, "third");
      expect((await page(alice, dm.id)).contents).toEqual(["third", null, "first"]);
    });

    it("a session revoked by the other process is refused at the next page", async () => {
      const group = await createGroup(reader, alice, [carol]);
      expect((await page(carol, group.id)).status).toBe(200);
      const mine = await changer.request("/api/auth/sessions", { token: carol.accessToken });
      expect(mine.status).toBe(200);
      const current = mine.body.data.find((s: { current: boolean }) => s.current);
      const revoked = await changer.request(`/api/auth/sessions/${current.id}`, {
        method: "DELETE",
        token: carol.accessToken,
      });
      expect(revoked.status).toBe(204);
      const refused = await get(reader, carol, messagesOf(group.id));
      expect(refused.status).toBe(401);
    });
  },
);
