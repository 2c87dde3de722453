/**
 * The one registry of domains: the spec's tags (each the `x-tag` of its `paths/<name>.yaml`,
 * gathered into fluxra.yaml by scripts/bundle.mjs). A domain's name (its `paths/<name>.yaml`, its
 * server folder, its contract-test folder, its docs page) is its tag in lowercase; the order is
 * the order of the spec's `tags`. Everything that lists domains derives the list from here.
 */

/** One domain of the spec. */
export interface SpecDomain {
  /** The spec tag, e.g. `Chat`. */
  readonly tag: string;
  /** The tag in lowercase, e.g. `chat`: the folder and file name everywhere. */
  readonly name: string;
}

interface TaggedDocument {
  tags?: ReadonlyArray<{ name: string }>;
  paths?: Record<string, Record<string, unknown>>;
}

/** The domain name of a tag. */
export function domainName(tag: string): string {
  return tag.toLowerCase();
}

/** Every domain of `doc` (a tag at least one operation carries), in the spec's tag order. */
export function specDomains(doc: unknown): SpecDomain[] {
  const { tags = [], paths = {} } = doc as TaggedDocument;
  const used = new Set<string>();
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      const opTags = (op as { tags?: unknown } | null)?.tags;
      if (Array.isArray(opTags)) for (const t of opTags) used.add(String(t));
    }
  }
  return tags
    .filter((t) => used.has(t.name))
    .map((t) => ({ tag: t.name, name: domainName(t.name) }));
}
