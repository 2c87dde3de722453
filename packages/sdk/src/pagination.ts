/** One page of a list endpoint, exactly as the API returns it. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/**
 * A lazily fetched list. Iterate items with `for await`, pages with `.pages()`, or collect with
 * `.toArray({ limit })`. Nothing is requested until iteration starts; each iteration starts over
 * from the first page.
 *
 * @example
 * for await (const message of client.messages.list(conversationId)) console.log(message.content);
 */
export class Paginator<T> implements AsyncIterable<T> {
  readonly #fetchPage: (cursor: string | undefined) => Promise<Page<T>>;

  constructor(fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {
    this.#fetchPage = fetchPage;
  }

  /** Fetches only the first page (with `has_more`/`next_cursor`, for your own paging). */
  firstPage(): Promise<Page<T>> {
    return this.#fetchPage(undefined);
  }

  /** Yields each page, following `next_cursor` until `has_more` is false. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let cursor: string | undefined;
    do {
      const next = this.#fetchPage(cursor);
      // `yield` awaits a promise itself: yielding the page's promise hands the page over one turn
      // of the microtask queue sooner than `yield await`. Its value is read (settled, so at once)
      // only when the next page is asked for.
      yield next;
      const page = await next;
      cursor = (page.has_more && page.next_cursor) || undefined;
    } while (cursor);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Collects items, stopping (without fetching further pages) once `limit` are gathered. */
  async toArray(options: { limit?: number } = {}): Promise<T[]> {
    const { limit = Infinity } = options;
    const items: T[] = [];
    if (limit <= 0) return items;
    for await (const item of this) {
      items.push(item);
      if (items.length >= limit) break;
    }
    return items;
  }
}
