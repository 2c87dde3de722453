import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestApp,
  type Json,
  registerAgent,
  type TestAgent,
  type TestApp,
} from "../../testing/index.js";
import { get, openDirect, send } from "./chat-fixtures.js";

let t: TestApp;
let alice: TestAgent;

beforeAll(async () => {
  t = createTestApp();
  alice = await registerAgent(t);
});
afterAll(() => t.close());

/** A fresh direct conversation of alice with `n` messages whose content is their number. */
async function history(n: number): Promise<{ id: string; messages: Json[]; peer: TestAgent }> {
  const peer = await registerAgent(t);
  const dm = await openDirect(t, alice, peer);
  const messages: Json[] = [];
  for (let i = 1; i <= n; i++) messages.push(await send(t, i % 2 ? alice : peer, dm.id, String(i)));
  return { id: dm.id, messages, peer };
}

const contents = (body: Json) => body.data.map((m: Json) => Number(m.content));
const list = (id: string, query: string) =>
  get(t, alice, `/api/conversations/${id}/messages${query}`);

describe("listing messages", () => {
  it("pages 20 messages by 5 newest first: 20..16, 15..11, 10..6, 5..1 even while new ones arrive", async () => {
    const [a, b] = [alice, await registerAgent(t)];
    const dm = await openDirect(t, a, b);
    for (let i = 1; i <= 20; i++) await send(t, i % 2 ? a : b, dm.id, String(i));
    const seen: number[][] = [];
    let cursor: string | null = null;
    let extra = 100;
    do {
      const q: string = `?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await list(dm.id, q);
      expect(res.status).toBe(200);
      seen.push(contents(res.body));
      expect(res.body.has_more).toBe(res.body.next_cursor !== null);
      cursor = res.body.next_cursor;
      await send(t, b, dm.id, String(++extra)); // arrives while paging; must not shift pages
    } while (cursor !== null);
    expect(seen).toEqual([
      [20, 19, 18, 17, 16],
      [15, 14, 13, 12, 11],
      [10, 9, 8, 7, 6],
      [5, 4, 3, 2, 1],
    ]);
  });

  it("before/after are exclusive; after lists oldest first and catch-up misses nothing", async () => {
    const { id, messages, peer } = await history(12);
    const at = (n: number) => messages[n - 1].id;
    expect(contents((await list(id, `?before=${at(5)}`)).body)).toEqual([4, 3, 2, 1]);
    const after = await list(id, `?after=${at(5)}&limit=3`);
    expect(contents(after.body)).toEqual([6, 7, 8]);
    const next = await list(id, `?after=${at(5)}&limit=3&cursor=${after.body.next_cursor}`);
    expect(contents(next.body)).toEqual([9, 10, 11]);
    // Catch up from the last seen message, with new messages arriving between calls.
    const seen: number[] = [];
    let last = at(2);
    for (let round = 0; round < 4; round++) {
      const res = await list(id, `?after=${last}&limit=4`);
      const got = contents(res.body) as number[];
      seen.push(...got);
      if (got.length > 0) last = res.body.data.at(-1).id;
      await send(t, peer, id, String(100 + round));
    }
    const rest = await list(id, `?after=${last}&limit=100`);
    seen.push(...contents(rest.body));
    const everything = contents((await list(id, `?after=${at(2)}&limit=100`)).body);
    expect(seen).toEqual(everything);
    expect(everything.slice(0, 10)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it("gives seq 1..n without gaps, including tombstones of deleted messages", async () => {
    const { id, messages } = await history(6);
    await t.request(`/api/conversations/${id}/messages/${messages[2].id}`, {
      method: "DELETE",
      token: alice.accessToken,
    });
    expect((await list(id, "?after=&limit=100")).status).toBe(422);
    const all = await list(id, `?after=${messages[0].id}`);
    expect(all.body.data.map((m: Json) => m.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(all.body.data[1].content).toBeNull();
  });

  it("refuses before with after, a foreign anchor, a forged cursor and a cursor with other filters", async () => {
    const { id, messages } = await history(6);
    const other = await history(1);
    const both = await list(id, `?before=${messages[3].id}&after=${messages[1].id}`);
    expect(both.status).toBe(422);
    const foreign = await list(id, `?before=${other.messages[0].id}`);
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.details[0].path).toBe("query.before");
    expect((await list(id, "?cursor=xyz.abc")).status).toBe(422);
    const page = await list(id, "?limit=2");
    const swapped = await list(
      id,
      `?limit=2&after=${messages[0].id}&cursor=${page.body.next_cursor}`,
    );
    expect(swapped.status).toBe(422);
    const otherConv = await list(other.id, `?limit=2&cursor=${page.body.next_cursor}`);
    expect(otherConv.status).toBe(422);
    expect((await list(id, "?limit=0")).status).toBe(422);
    expect((await list(id, "?limit=100")).status).toBe(200);
    expect((await list(id, "?sort=asc")).status).toBe(422);
  });
});
