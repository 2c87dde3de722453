import type { KeysetPage } from "../../platform/pagination.js";

/**
 * A keyset page from rows read with `LIMIT limit + 1`: the first `limit` rows mapped by `map`,
 * and the key of the last one when the extra row says there is more. Every backend's list
 * query reads one row too many and ends here.
 */
export function keysetPage<R, T, K>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  keyOf: (row: R) => K,
): KeysetPage<T, K> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page.map(map), next: rows.length > limit && last ? keyOf(last) : null };
}
