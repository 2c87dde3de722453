import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { testBackend } from "../../../storage/postgres/test-store.js";
import {
  createTestApp,
  registerAgent,
  type TestAgent,
  type TestApp,
} from "../../../testing/index.js";
import { block, createGroup, get, openDirect, send } from "../chat-fixtures.js";
import { pageAccessCache } from "./page-access.js";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const messagesOf = (id: string) => `/api/conversations/${id}/messages`;
/** The contents of `caller`'s newest page (status 200), or the status. */
async function page(caller: TestAgent, id: string): Promise<(string | null)[] | number> {
  const res = await get(t, caller, messagesOf(id));
  return res.status === 200
    ? res.body.data.map((m: { content: string | null }) => m.content)
    : res.status;
}

// The page access cache (page-access.ts) keeps each page's membership, version and the caller's
// blocks once served; every check here starts warm (the caller has read the page before) and
// the change comes from this process's own writes (second-process-pages.test.ts: another's).
describe.skipIf(testBackend === "postgres")("SQLite message pages with kept access facts", () => {
  it("keeps a served page's access facts, and only positive answers", async () => {
    t = createTestApp();
    const [a, b, c] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b]);
    const cache = pageAccessCache(t.store.db);
    expect(await page(a, group.id)).toEqual([]);
    expect(cache.get(a.id, group.id)).toEqual({ messages_version: 0, blocked: null });
    expect(await page(c, group.id)).toBe(404);
    expect(cache.get(c.id, group.id)).toBeUndefined();
  });

  it("refuses a removed member's and a leaver's next page, and a message read", async () => {
    t = createTestApp();
    const [a, b, c] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b, c]);
    const hello = await send(t, a, group.id, "hello");
    for (const who of [b, c]) expect(await page(who, group.id)).toEqual(["hello"]);
    const removed = await t.request(`/api/conversations/${group.id}/members/${c.id}`, {
      method: "DELETE",
      token: a.accessToken,
    });
    expect(removed.status).toBe(204);
    expect(await page(c, group.id)).toBe(404);
    expect((await get(t, c, `${messagesOf(group.id)}/${hello.id}`)).status).toBe(404);
    const left = await t.request(`/api/conversations/${group.id}/leave`, {
      method: "POST",
      token: b.accessToken,
    });
    expect(left.status).toBe(204);
    expect(await page(b, group.id)).toBe(404);
    expect(await page(a, group.id)).toEqual(["hello"]);
  });

  it("applies a block and an unblock to the blocker's next page only", async () => {
    t = createTestApp();
    const [a, b, c] = [await registerAgent(t), await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b, c]);
    await send(t, a, group.id, "from a");
    await send(t, c, group.id, "from c");
    expect(await page(b, group.id)).toEqual(["from c", "from a"]);
    expect((await block(t, b, "agents", c.id)).status).toBe(201);
    expect(await page(b, group.id)).toEqual(["from a"]);
    expect(await page(a, group.id)).toEqual(["from c", "from a"]);
    const unblocked = await t.request(`/api/blocks/agents/${c.id}`, {
      method: "DELETE",
      token: b.accessToken,
    });
    expect(unblocked.status).toBe(204);
    expect(await page(b, group.id)).toEqual(["from c", "from a"]);
  });

  it("shows the next page every send, edit and delete of this process", async () => {
    t = createTestApp();
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    const first = await send(t, a, dm.id, "first");
    expect(await page(b, dm.id)).toEqual(["first"]);
    await send(t, b, dm.id, "second");
    expect(await page(b, dm.id)).toEqual(["second", "first"]);
    // The kept version follows the send (a stale one would label the tail wrong and refill it
    // from the database at every page).
    const stored = t.store.db.raw
      .prepare("SELECT messages_version FROM conversations WHERE id = ?")
      .pluck()
      .get(dm.id);
    expect(pageAccessCache(t.store.db).get(b.id, dm.id)?.messages_version).toBe(stored);
    const edited = await t.request(`${messagesOf(dm.id)}/${first.id}`, {
      method: "PATCH",
      token: a.accessToken,
      json: { content: "first, edited" },
    });
    expect(edited.status).toBe(200);
    expect(await page(b, dm.id)).toEqual(["second", "first, edited"]);
    const deleted = await t.request(`${messagesOf(dm.id)}/${first.id}`, {
      method: "DELETE",
      token: a.accessToken,
    });
    expect(deleted.status).toBe(200);
    expect(await page(b, dm.id)).toEqual(["second", null]);
  });

  it("starts over after another connection's commit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fluxra-page-access-"));
    const dbPath = join(dir, "pages.db");
    t = createTestApp({ dbPath });
    const [a, b] = [await registerAgent(t), await registerAgent(t)];
    const group = await createGroup(t, a, [b]);
    expect(await page(b, group.id)).toEqual([]);
    // Raw SQL on a second connection to the same file, as another process would write.
    const other = new Database(dbPath);
    other.pragma("busy_timeout = 5000");
    other.prepare("DELETE FROM conversation_members WHERE agent_id = ?").run(b.id);
    other.close();
    expect(await page(b, group.id)).toBe(404);
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
