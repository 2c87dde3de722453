import type { Json, Sink } from "./types.js";

/** Which way data flows: clients send requests and read responses, so narrowing breaks one or the other. */
export type Direction = "request" | "response";

/** Follows local `$ref`s (`#/components/...`) in `doc`, returning the target and its name. */
export function resolve(doc: Json, schema: Json): { schema: Json; ref?: string } {
  let current = schema;
  let ref: string | undefined;
  for (let hops = 0; current && typeof current.$ref === "string" && hops < 32; hops++) {
    ref = current.$ref as string;
    current = ref
      .replace(/^#\//, "")
      .split("/")
      .reduce((node: Json, key) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
  }
  return ref === undefined ? { schema: current } : { schema: current, ref };
}

/** allOf members merged into one object schema (properties and required lists combined). */
function flatten(doc: Json, schema: Json): Json {
  const { schema: s } = resolve(doc, schema);
  if (!s || !Array.isArray(s.allOf)) return s ?? {};
  const merged: Json = {
    ...s,
    properties: { ...(s.properties ?? {}) },
    required: [...(s.required ?? [])],
  };
  delete merged.allOf;
  for (const part of s.allOf) {
    const p = flatten(doc, part);
    Object.assign(merged.properties, p.properties ?? {});
    merged.required.push(...(p.required ?? []));
    for (const key of ["type", "additionalProperties", "enum"])
      if (p[key] !== undefined) merged[key] ??= p[key];
  }
  return merged;
}

function types(s: Json): Set<string> | undefined {
  if (s.type === undefined) return undefined;
  return new Set(Array.isArray(s.type) ? s.type : [s.type]);
}

/** Types in `from` that `to` no longer accepts (`number` accepts `integer`). */
function missing(from: Set<string>, to: Set<string>): string[] {
  return [...from].filter((t) => !to.has(t) && !(t === "integer" && to.has("number")));
}

const list = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(", ");

/** Limits where a smaller value accepts less (`max*`) or a larger one does (`min*`). */
const UPPER = ["maxLength", "maxItems", "maximum", "maxProperties", "exclusiveMaximum"];
const LOWER = ["minLength", "minItems", "minimum", "minProperties", "exclusiveMinimum"];

function compareLimits(a: Json, b: Json, where: string, dir: Direction, sink: Sink): void {
  for (const key of [...UPPER, ...LOWER]) {
    const [x, y] = [a[key], b[key]];
    if (x === y || y === undefined) continue;
    const narrower = x === undefined || (UPPER.includes(key) ? y < x : y > x);
    if (narrower)
      sink.add(
        dir === "request" ? "breaking" : "change",
        where,
        `${key} ${x ?? "(none)"} → ${y}: accepts less`,
      );
    else sink.add(dir === "request" ? "addition" : "change", where, `${key} ${x} → ${y}`);
  }
  for (const key of ["pattern", "format", "const"]) {
    if (b[key] !== undefined && JSON.stringify(a[key]) !== JSON.stringify(b[key]))
      sink.add(
        dir === "request" ? "breaking" : "change",
        where,
        `${key} is now ${JSON.stringify(b[key])}`,
      );
  }
  if (a.additionalProperties !== false && b.additionalProperties === false)
    sink.add(dir === "request" ? "breaking" : "change", where, "no longer accepts unknown fields");
}

function compareEnum(a: Json, b: Json, where: string, dir: Direction, sink: Sink): void {
  if (!Array.isArray(b.enum)) return;
  const before: unknown[] = Array.isArray(a.enum) ? a.enum : [];
  const removed = before.filter(
    (v) => !b.enum.some((w: unknown) => JSON.stringify(w) === JSON.stringify(v)),
  );
  const added = b.enum.filter(
    (v: unknown) => !before.some((w) => JSON.stringify(w) === JSON.stringify(v)),
  );
  if (!Array.isArray(a.enum)) {
    sink.add(dir === "request" ? "breaking" : "change", where, `now limited to ${list(b.enum)}`);
    return;
  }
  if (removed.length)
    sink.add(
      dir === "request" ? "breaking" : "change",
      where,
      `no longer ${dir === "request" ? "accepts" : "returns"} ${list(removed)}`,
    );
  if (added.length)
    sink.add("addition", where, `new value${added.length > 1 ? "s" : ""} ${list(added)}`);
}

function compareProperties(
  a: Json,
  b: Json,
  where: string,
  dir: Direction,
  sink: Sink,
  seen: Set<string>,
): void {
  const [pa, pb] = [a.properties ?? {}, b.properties ?? {}];
  const [ra, rb] = [new Set<string>(a.required ?? []), new Set<string>(b.required ?? [])];
  const at = (name: string) => (where ? `${where}.${name}` : name);
  for (const name of Object.keys(pa)) {
    if (!(name in pb)) {
      sink.add(
        "breaking",
        at(name),
        dir === "request" ? "field removed (no longer accepted)" : "field removed",
      );
      continue;
    }
    if (dir === "request" && !ra.has(name) && rb.has(name))
      sink.add("breaking", at(name), "optional field is now required");
    if (dir === "response" && ra.has(name) && !rb.has(name))
      sink.add("breaking", at(name), "field may now be absent");
    compareSchema(pa[name], pb[name], at(name), dir, sink, seen);
  }
  for (const name of Object.keys(pb)) {
    if (name in pa) continue;
    if (dir === "request" && rb.has(name)) sink.add("breaking", at(name), "new required field");
    else sink.add("addition", at(name), `new ${dir === "request" ? "optional " : ""}field`);
  }
}

function compareVariants(
  a: Json,
  b: Json,
  where: string,
  dir: Direction,
  sink: Sink,
  seen: Set<string>,
): void {
  for (const key of ["oneOf", "anyOf"]) {
    const [va, vb] = [a[key], b[key]];
    if (!Array.isArray(va) && !Array.isArray(vb)) continue;
    if (!Array.isArray(va) || !Array.isArray(vb)) {
      sink.add(
        dir === "request" ? "breaking" : "change",
        where,
        `${key} ${Array.isArray(vb) ? "added" : "removed"}`,
      );
      continue;
    }
    if (vb.length < va.length)
      sink.add(
        dir === "request" ? "breaking" : "change",
        where,
        `${key} has fewer variants (${va.length} → ${vb.length})`,
      );
    if (vb.length > va.length)
      sink.add(
        dir === "response" ? "breaking" : "addition",
        where,
        `${key} has more variants (${va.length} → ${vb.length})`,
      );
    for (let i = 0; i < Math.min(va.length, vb.length); i++)
      compareSchema(va[i], vb[i], `${where}[${key} ${i}]`, dir, sink, seen);
  }
}

/**
 * Records how schema `before` (in sink.oldSpec) changed into `after` (in sink.newSpec), judged for
 * data flowing in `dir`: a request schema breaks clients when it accepts less, a response schema
 * when it may return something clients did not have to handle.
 */
export function compareSchema(
  before: Json,
  after: Json,
  where: string,
  dir: Direction,
  sink: Sink,
  seen = new Set<string>(),
): void {
  const ra = resolve(sink.oldSpec, before);
  const rb = resolve(sink.newSpec, after);
  if (ra.ref && rb.ref) {
    const key = `${ra.ref}|${rb.ref}|${dir}`;
    if (seen.has(key)) return;
    seen.add(key);
  }
  const a = flatten(sink.oldSpec, before);
  const b = flatten(sink.newSpec, after);
  const [ta, tb] = [types(a), types(b)];
  if (ta && tb) {
    const lost = missing(ta, tb);
    const gained = missing(tb, ta);
    const change = `type ${[...ta].join("|")} → ${[...tb].join("|")}`;
    if (dir === "request" && lost.length)
      sink.add("breaking", where, `${change}: no longer accepts ${lost.join(", ")}`);
    else if (dir === "response" && gained.length)
      sink.add("breaking", where, `${change}: may now return ${gained.join(", ")}`);
    else if (lost.length || gained.length)
      sink.add(gained.length && dir === "request" ? "addition" : "change", where, change);
  }
  compareEnum(a, b, where, dir, sink);
  compareLimits(a, b, where, dir, sink);
  compareProperties(a, b, where, dir, sink, seen);
  compareVariants(a, b, where, dir, sink, seen);
  if (a.items || b.items)
    compareSchema(a.items ?? {}, b.items ?? {}, `${where}[]`, dir, sink, seen);
  if (typeof a.additionalProperties === "object" && typeof b.additionalProperties === "object")
    compareSchema(a.additionalProperties, b.additionalProperties, `${where}{}`, dir, sink, seen);
}
