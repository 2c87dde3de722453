import { describe, expect, it } from "vitest";
import { type Page, Paginator } from "./pagination.js";

/** Pages of `size` over 1..total, recording which cursors were requested. */
function source(total: number, size: number) {
  const requested: (string | undefined)[] = [];
  const paginator = new Paginator<number>(async (cursor): Promise<Page<number>> => {
    requested.push(cursor);
    const start = cursor ? Number(cursor) : 0;
    const data = Array.from({ length: Math.min(size, total - start) }, (_, i) => start + i + 1);
    const has_more = start + size < total;
    return { data, has_more, next_cursor: has_more ? String(start + size) : null };
  });
  return { paginator, requested };
}

describe("Paginator", () => {
  it("yields every item exactly once across pages with for await", async () => {
    const { paginator, requested } = source(7, 3);
    const items: number[] = [];
    for await (const n of paginator) items.push(n);
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(requested).toEqual([undefined, "3", "6"]);
  });

  it("fetches just the first page on request", async () => {
    const { paginator, requested } = source(5, 2);
    expect(await paginator.firstPage()).toEqual({ data: [1, 2], has_more: true, next_cursor: "2" });
    expect(requested).toEqual([undefined]);
  });

  it("iterates pages", async () => {
    const { paginator } = source(5, 2);
    const sizes: number[] = [];
    for await (const page of paginator.pages()) sizes.push(page.data.length);
    expect(sizes).toEqual([2, 2, 1]);
  });

  it("toArray({ limit }) stops without fetching further pages", async () => {
    const { paginator, requested } = source(100, 10);
    expect(await paginator.toArray({ limit: 12 })).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    expect(requested).toHaveLength(2);
    expect(await source(3, 10).paginator.toArray({ limit: 0 })).toEqual([]);
  });

  it("handles an empty list and starts over on each iteration", async () => {
    expect(await source(0, 5).paginator.toArray()).toEqual([]);
    const { paginator, requested } = source(2, 5);
    await paginator.toArray();
    await paginator.toArray();
    expect(requested).toEqual([undefined, undefined]);
  });

  it("stops when has_more is false even if a cursor is present", async () => {
    const paginator = new Paginator<number>(async () => ({
      data: [1],
      has_more: false,
      next_cursor: "x",
    }));
    expect(await paginator.toArray()).toEqual([1]);
  });
});
