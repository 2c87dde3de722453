import { describe, expect, it } from "vitest";
import { MessageTails, type TailEntry } from "./message-tail.js";

interface Msg {
  seq: number;
  author_id: string;
  content: string;
}

const authors = ["agt_a", "agt_b", "agt_c"];
const msg = (seq: number, author = authors[seq % 3] as string): Msg => ({
  seq,
  author_id: author,
  content: `m${seq} ✓ "quoted"`,
});
const entry = (m: Msg): TailEntry => ({
  seq: m.seq,
  authorId: m.author_id,
  json: JSON.stringify(m),
});
/** Messages `from..to`, newest first (what {@link MessageTails.store} takes). */
const newestFirst = (from: number, to: number): TailEntry[] => {
  const out: TailEntry[] = [];
  for (let s = to; s >= from; s--) out.push(entry(msg(s)));
  return out;
};
const parse = (json: string) => JSON.parse(json) as Msg[];
const seqs = (page: { json: string } | undefined) =>
  page === undefined ? undefined : parse(page.json).map((m) => m.seq);
const desc = (seq: number | null = null) => ({ direction: "desc" as const, seq });
const asc = (seq: number | null = null) => ({ direction: "asc" as const, seq });

const C = "cnv_1";
const big = { fill: 100, maxEntries: 200, maxBytes: 1 << 20 };

describe("MessageTails.page on a complete tail", () => {
  // 10 messages, fill 100: the tail holds the whole conversation.
  const tails = () => {
    const t = new MessageTails(big);
    t.store(C, 5, newestFirst(1, 10));
    return t;
  };

  it("answers desc pages newest first, strictly below the window, with next", () => {
    const t = tails();
    let page = t.page(C, 5, desc(), 3, null);
    expect(seqs(page)).toEqual([10, 9, 8]);
    expect(page?.next).toBe(8);
    page = t.page(C, 5, desc(8), 3, null);
    expect(seqs(page)).toEqual([7, 6, 5]);
    expect(page?.next).toBe(5);
    page = t.page(C, 5, desc(4), 3, null);
    expect(seqs(page)).toEqual([3, 2, 1]);
    expect(page?.next).toBeNull(); // exactly `limit` left: no next
    page = t.page(C, 5, desc(3), 3, null);
    expect(seqs(page)).toEqual([2, 1]);
    expect(page?.next).toBeNull();
    page = t.page(C, 5, desc(1), 3, null);
    expect(seqs(page)).toEqual([]);
    expect(page?.json).toBe("[]");
    expect(page?.next).toBeNull();
    // A bound above the newest message reads from the newest.
    expect(seqs(t.page(C, 5, desc(1000), 2, null))).toEqual([10, 9]);
  });

  it("answers asc pages oldest first, strictly above the window, with next", () => {
    const t = tails();
    let page = t.page(C, 5, asc(), 4, null);
    expect(seqs(page)).toEqual([1, 2, 3, 4]);
    expect(page?.next).toBe(4);
    page = t.page(C, 5, asc(4), 4, null);
    expect(seqs(page)).toEqual([5, 6, 7, 8]);
    expect(page?.next).toBe(8);
    page = t.page(C, 5, asc(6), 4, null);
    expect(seqs(page)).toEqual([7, 8, 9, 10]);
    expect(page?.next).toBeNull();
    page = t.page(C, 5, asc(10), 4, null);
    expect(seqs(page)).toEqual([]);
    expect(page?.next).toBeNull();
    expect(seqs(t.page(C, 5, asc(0), 1, null))).toEqual([1]);
  });

  it("serves the whole tail when the limit exceeds it", () => {
    const t = tails();
    const page = t.page(C, 5, desc(), 50, null);
    expect(seqs(page)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(page?.next).toBeNull();
  });

  it("leaves out blocked authors, filling the page from further back", () => {
    const t = tails();
    const blocked = new Set(["agt_b"]); // seqs 1, 4, 7, 10
    let page = t.page(C, 5, desc(), 3, blocked);
    expect(seqs(page)).toEqual([9, 8, 6]);
    expect(page?.next).toBe(6);
    page = t.page(C, 5, desc(6), 3, blocked);
    expect(seqs(page)).toEqual([5, 3, 2]);
    expect(page?.next).toBeNull();
    page = t.page(C, 5, asc(), 3, blocked);
    expect(seqs(page)).toEqual([2, 3, 5]);
    expect(page?.next).toBe(5);
    page = t.page(C, 5, asc(8), 3, blocked);
    expect(seqs(page)).toEqual([9]);
    expect(page?.next).toBeNull();
    // Every author blocked: a complete tail knows the page is empty.
    page = t.page(C, 5, desc(), 3, new Set(authors));
    expect(seqs(page)).toEqual([]);
    expect(page?.next).toBeNull();
    // Blocking someone not in the conversation changes nothing.
    expect(seqs(t.page(C, 5, desc(), 2, new Set(["agt_z"])))).toEqual([10, 9]);
  });

  it("returns the entries' JSON as one valid array, in page order", () => {
    const t = tails();
    const page = t.page(C, 5, desc(), 4, null);
    expect(parse(page?.json as string)).toEqual([msg(10), msg(9), msg(8), msg(7)]);
    const one = t.page(C, 5, asc(), 1, null);
    expect(one?.json).toBe(`[${JSON.stringify(msg(1))}]`);
  });

  it("answers an empty conversation (a complete, empty tail)", () => {
    const t = new MessageTails(big);
    t.store(C, 0, []);
    expect(t.isCurrent(C, 0)).toBe(true);
    for (const w of [desc(), desc(5), asc(), asc(5)]) {
      const page = t.page(C, 0, w, 10, null);
      expect(page?.json).toBe("[]");
      expect(page?.next).toBeNull();
    }
  });
});

describe("MessageTails.page on a partial tail", () => {
  // fill 5, 5 rows read: the conversation may have older messages (here it holds 16..20).
  const tails = () => {
    const t = new MessageTails({ fill: 5, maxEntries: 10, maxBytes: 1 << 20 });
    t.store(C, 3, newestFirst(16, 20));
    return t;
  };

  it("answers desc pages it holds limit + 1 messages for", () => {
    const t = tails();
    let page = t.page(C, 3, desc(), 4, null);
    expect(seqs(page)).toEqual([20, 19, 18, 17]);
    expect(page?.next).toBe(17);
    page = t.page(C, 3, desc(20), 3, null);
    expect(seqs(page)).toEqual([19, 18, 17]);
    expect(page?.next).toBe(17);
  });

  it("refuses desc pages that may reach older messages than it holds", () => {
    const t = tails();
    // 5 held, limit 5: whether there is a next page is unknown.
    expect(t.page(C, 3, desc(), 5, null)).toBeUndefined();
    expect(t.page(C, 3, desc(19), 3, null)).toBeUndefined();
    expect(t.page(C, 3, desc(16), 1, null)).toBeUndefined();
    expect(t.page(C, 3, desc(3), 1, null)).toBeUndefined();
    // Blocked authors thin the tail out: 20 and 17 blocked leaves 19, 18, 16 → not limit + 1.
    expect(t.page(C, 3, desc(), 3, new Set(["agt_c"]))).toBeUndefined();
    // A refusal leaves the tail in place.
    expect(t.isCurrent(C, 3)).toBe(true);
  });

  it("answers asc pages that start at or after its oldest message", () => {
    const t = tails();
    let page = t.page(C, 3, asc(15), 2, null);
    expect(seqs(page)).toEqual([16, 17]);
    expect(page?.next).toBe(17);
    page = t.page(C, 3, asc(17), 10, null);
    expect(seqs(page)).toEqual([18, 19, 20]);
    expect(page?.next).toBeNull();
    page = t.page(C, 3, asc(20), 10, null);
    expect(seqs(page)).toEqual([]);
    expect(page?.next).toBeNull();
  });

  it("refuses asc pages that start before its oldest message", () => {
    const t = tails();
    expect(t.page(C, 3, asc(), 2, null)).toBeUndefined();
    expect(t.page(C, 3, asc(0), 2, null)).toBeUndefined();
    expect(t.page(C, 3, asc(14), 2, null)).toBeUndefined();
  });
});

describe("MessageTails versions", () => {
  it("answers only at its version, and drops a stale tail", () => {
    const t = new MessageTails(big);
    t.store(C, 5, newestFirst(1, 3));
    expect(t.isCurrent(C, 5)).toBe(true);
    expect(t.isCurrent(C, 6)).toBe(false);
    expect(t.isCurrent("cnv_other", 5)).toBe(false);
    expect(t.page("cnv_other", 5, desc(), 3, null)).toBeUndefined();
    expect(t.page(C, 6, desc(), 3, null)).toBeUndefined();
    // The stale tail was dropped: not even its own version answers now.
    expect(t.isCurrent(C, 5)).toBe(false);
    expect(t.page(C, 5, desc(), 3, null)).toBeUndefined();
    expect(t.size).toEqual({ tails: 0, bytes: 0 });
  });

  it("treats an older version as stale too", () => {
    const t = new MessageTails(big);
    t.store(C, 5, newestFirst(1, 3));
    expect(t.page(C, 4, desc(), 3, null)).toBeUndefined();
    expect(t.size.tails).toBe(0);
  });

  it("store replaces the previous tail of the conversation", () => {
    const t = new MessageTails(big);
    t.store(C, 1, newestFirst(1, 3));
    t.store(C, 2, newestFirst(1, 4));
    expect(t.size.tails).toBe(1);
    expect(t.size.bytes).toBe(newestFirst(1, 4).reduce((n, e) => n + e.json.length, 0));
    expect(seqs(t.page(C, 2, desc(), 10, null))).toEqual([4, 3, 2, 1]);
  });

  it("drop and clear forget tails and their bytes", () => {
    const t = new MessageTails(big);
    t.store("a", 1, newestFirst(1, 3));
    t.store("b", 1, newestFirst(1, 2));
    t.drop("a");
    expect(t.isCurrent("a", 1)).toBe(false);
    expect(t.size).toEqual({
      tails: 1,
      bytes: newestFirst(1, 2).reduce((n, e) => n + e.json.length, 0),
    });
    t.drop("missing");
    t.clear();
    expect(t.size).toEqual({ tails: 0, bytes: 0 });
    expect(t.isCurrent("b", 1)).toBe(false);
  });
});

describe("MessageTails.append", () => {
  const json = (seq: number, author?: string) => () => JSON.stringify(msg(seq, author));

  it("extends a tail at the version before, moving it one version on", () => {
    const t = new MessageTails(big);
    t.store(C, 3, newestFirst(1, 3));
    t.append(C, 3, 4, "agt_z", json(4, "agt_z"));
    expect(t.isCurrent(C, 3)).toBe(false);
    expect(t.isCurrent(C, 4)).toBe(true);
    const page = t.page(C, 4, desc(), 10, null);
    expect(parse(page?.json as string)).toEqual([msg(4, "agt_z"), msg(3), msg(2), msg(1)]);
    // The appended message's author is filtered like any other.
    expect(seqs(t.page(C, 4, desc(), 10, new Set(["agt_z"])))).toEqual([3, 2, 1]);
    expect(t.size.bytes).toBe(
      newestFirst(1, 4).reduce((n, e) => n + e.json.length, 0) -
        entry(msg(4)).json.length +
        json(4, "agt_z")().length,
    );
  });

  it("extends an empty complete tail", () => {
    const t = new MessageTails(big);
    t.store(C, 0, []);
    t.append(C, 0, 1, "agt_a", json(1, "agt_a"));
    expect(seqs(t.page(C, 1, asc(), 10, null))).toEqual([1]);
  });

  it("drops the tail when the version before does not match", () => {
    for (const before of [2, 4, 7]) {
      const t = new MessageTails(big);
      t.store(C, 3, newestFirst(1, 3));
      let called = false;
      t.append(C, before, 4, "agt_a", () => {
        called = true;
        return "{}";
      });
      expect(called).toBe(false);
      expect(t.size).toEqual({ tails: 0, bytes: 0 });
      expect(t.isCurrent(C, before + 1)).toBe(false);
      expect(t.isCurrent(C, 3)).toBe(false);
    }
  });

  it("drops the tail when the seq is not past its newest message", () => {
    for (const seq of [1, 3]) {
      const t = new MessageTails(big);
      t.store(C, 3, newestFirst(1, 3));
      t.append(C, 3, seq, "agt_a", json(seq));
      expect(t.size).toEqual({ tails: 0, bytes: 0 });
      expect(t.isCurrent(C, 4)).toBe(false);
    }
  });

  it("does nothing (and does not serialize) without a tail", () => {
    const t = new MessageTails(big);
    let called = false;
    t.append(C, 0, 1, "agt_a", () => {
      called = true;
      return "{}";
    });
    expect(called).toBe(false);
    expect(t.size).toEqual({ tails: 0, bytes: 0 });
    expect(t.isCurrent(C, 1)).toBe(false);
  });

  it("trims past maxEntries to the newest half, which is then no longer complete", () => {
    const t = new MessageTails({ fill: 8, maxEntries: 8, maxBytes: 1 << 20 });
    t.store(C, 0, newestFirst(1, 3)); // complete (3 < fill)
    let version = 0;
    for (let seq = 4; seq <= 8; seq++) t.append(C, version++, seq, "agt_a", json(seq, "agt_a"));
    // 8 entries: still complete, answers to the very first message.
    expect(seqs(t.page(C, version, asc(), 100, null))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    t.append(C, version++, 9, "agt_a", json(9, "agt_a"));
    // 9 > 8: the tail keeps the newest maxEntries / 2 (6..9), and no longer claims to be complete.
    expect(seqs(t.page(C, version, asc(5), 100, null))).toEqual([6, 7, 8, 9]);
    expect(seqs(t.page(C, version, asc(7), 100, null))).toEqual([8, 9]);
    expect(t.page(C, version, asc(), 100, null)).toBeUndefined();
    expect(t.page(C, version, asc(4), 100, null)).toBeUndefined();
    expect(t.page(C, version, desc(), 4, null)).toBeUndefined();
    expect(t.page(C, version, desc(7), 1, null)).toBeUndefined();
    expect(seqs(t.page(C, version, desc(), 3, null))).toEqual([9, 8, 7]);
    const kept = [6, 7, 8, 9].reduce((n, s) => n + json(s, "agt_a")().length, 0);
    expect(t.size).toEqual({ tails: 1, bytes: kept });
  });
});

describe("MessageTails memory bound", () => {
  const bytesOf = (entries: TailEntry[]) => entries.reduce((n, e) => n + e.json.length, 0);

  it("evicts least recently used tails past maxBytes", () => {
    const one = bytesOf(newestFirst(1, 4));
    const t = new MessageTails({ fill: 100, maxEntries: 200, maxBytes: one * 2 });
    t.store("a", 1, newestFirst(1, 4));
    t.store("b", 1, newestFirst(1, 4));
    expect(t.size).toEqual({ tails: 2, bytes: one * 2 });
    // Reading "a" makes "b" the least recently used.
    expect(t.page("a", 1, desc(), 1, null)).toBeDefined();
    t.store("c", 1, newestFirst(1, 4));
    expect(t.size).toEqual({ tails: 2, bytes: one * 2 });
    expect(t.isCurrent("a", 1)).toBe(true);
    expect(t.isCurrent("b", 1)).toBe(false);
    expect(t.isCurrent("c", 1)).toBe(true);
  });

  it("evicts on append too, and never holds more than maxBytes", () => {
    const one = bytesOf(newestFirst(1, 4));
    const t = new MessageTails({ fill: 100, maxEntries: 200, maxBytes: one * 2 });
    t.store("a", 1, newestFirst(1, 4));
    t.store("b", 1, newestFirst(1, 4));
    t.append("b", 1, 5, "agt_a", () => JSON.stringify(msg(5)));
    expect(t.size.bytes).toBeLessThanOrEqual(one * 2);
    expect(t.isCurrent("a", 1)).toBe(false);
    expect(t.isCurrent("b", 2)).toBe(true);
  });

  it("does not keep a single tail larger than maxBytes", () => {
    const t = new MessageTails({ fill: 100, maxEntries: 200, maxBytes: 10 });
    t.store(C, 1, newestFirst(1, 4));
    expect(t.size).toEqual({ tails: 0, bytes: 0 });
    expect(t.page(C, 1, desc(), 2, null)).toBeUndefined();
  });
});
