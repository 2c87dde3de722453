import { compareSchema, resolve } from "./schema-diff.js";
import type { Json, Level, Sink, SpecChange } from "./types.js";

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

interface Operation {
  label: string;
  op: Json;
  pathItem: Json;
}

/** Operations keyed by method and path template (parameter names ignored, so a rename is not a removal). */
function operations(doc: Json): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [path, pathItem] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = pathItem?.[method];
      if (!op) continue;
      out.set(`${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, "{}")}`, {
        label: `${method.toUpperCase()} ${path}`,
        op,
        pathItem,
      });
    }
  }
  return out;
}

const isPreview = (op: Json) => op?.["x-fluxra-preview"] === true;

function parameters(doc: Json, { op, pathItem }: Operation): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const raw of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
    const p = resolve(doc, raw).schema;
    if (p?.name)
      out.set(`${p.in} parameter ${p.in === "header" ? p.name.toLowerCase() : p.name}`, p);
  }
  return out;
}

/** True when calling the operation needs no credentials. */
function isPublic(doc: Json, op: Json): boolean {
  const security = op.security ?? doc.security ?? [];
  return security.length === 0 || security.some((s: Json) => Object.keys(s).length === 0);
}

function compareOperation(a: Operation, b: Operation, sink: Sink): void {
  const [pa, pb] = [parameters(sink.oldSpec, a), parameters(sink.newSpec, b)];
  for (const [key, p] of pa) {
    const q = pb.get(key);
    if (!q) {
      sink.add("breaking", key, "parameter removed");
      continue;
    }
    if (!p.required && q.required) sink.add("breaking", key, "optional parameter is now required");
    compareSchema(p.schema ?? {}, q.schema ?? {}, key, "request", sink);
  }
  for (const [key, q] of pb) {
    if (!pa.has(key))
      sink.add(
        q.required ? "breaking" : "addition",
        key,
        q.required ? "new required parameter" : "new optional parameter",
      );
  }

  const ba = resolve(sink.oldSpec, a.op.requestBody).schema;
  const bb = resolve(sink.newSpec, b.op.requestBody).schema;
  if (bb?.required && !ba?.required)
    sink.add(
      "breaking",
      "request body",
      ba ? "request body is now required" : "new required request body",
    );
  for (const [type, media] of Object.entries<Json>(ba?.content ?? {})) {
    const next = bb?.content?.[type];
    if (!next) sink.add("breaking", "request body", `${type} no longer accepted`);
    else compareSchema(media.schema ?? {}, next.schema ?? {}, "request body", "request", sink);
  }

  if (isPublic(sink.oldSpec, a.op) && !isPublic(sink.newSpec, b.op))
    sink.add("breaking", "security", "now requires credentials");

  const [sa, sb] = [a.op.responses ?? {}, b.op.responses ?? {}];
  for (const [status, raw] of Object.entries<Json>(sa)) {
    const where = `response ${status}`;
    if (!(status in sb)) {
      sink.add(status.startsWith("2") ? "breaking" : "change", where, "response removed");
      continue;
    }
    const [ra, rb] = [
      resolve(sink.oldSpec, raw).schema ?? {},
      resolve(sink.newSpec, sb[status]).schema ?? {},
    ];
    for (const name of Object.keys(ra.headers ?? {})) {
      if (!Object.keys(rb.headers ?? {}).some((h) => h.toLowerCase() === name.toLowerCase()))
        sink.add("breaking", `${where} header ${name}`, "header removed");
    }
    for (const [type, media] of Object.entries<Json>(ra.content ?? {})) {
      const next = rb.content?.[type];
      if (!next) sink.add("breaking", where, `${type} body removed`);
      else compareSchema(media.schema ?? {}, next.schema ?? {}, where, "response", sink);
    }
  }
  for (const status of Object.keys(sb)) {
    if (!(status in sa)) sink.add("addition", `response ${status}`, "new response");
  }
}

/**
 * Every difference between two bundled OpenAPI documents that matters to a client, each judged
 * breaking (an existing client may fail), addition, or change. Operations marked
 * `x-fluxra-preview: true` carry no stability promise: adding, changing or removing them is never
 * breaking.
 */
export function diffSpecs(oldSpec: Json, newSpec: Json): SpecChange[] {
  const changes: SpecChange[] = [];
  const [before, after] = [operations(oldSpec), operations(newSpec)];
  for (const [key, a] of before) {
    const b = after.get(key);
    const preview = isPreview(a.op) || isPreview(b?.op);
    if (!b) {
      changes.push({
        level: preview ? "change" : "breaking",
        operation: a.label,
        where: "operation",
        message: "operation removed",
        preview,
      });
      continue;
    }
    const sink: Sink = {
      oldSpec,
      newSpec,
      add(level: Level, where: string, message: string) {
        const downgraded: Level = preview && level === "breaking" ? "change" : level;
        changes.push({ level: downgraded, operation: b.label, where, message, preview });
      },
    };
    compareOperation(a, b, sink);
  }
  for (const [key, b] of after) {
    if (before.has(key)) continue;
    const preview = isPreview(b.op);
    changes.push({
      level: "addition",
      operation: b.label,
      where: "operation",
      message:
        `new operation${preview ? " (preview)" : ""}: ${b.op.summary ?? b.op.operationId ?? ""}`.trim(),
      preview,
    });
  }
  if (oldSpec.info?.version !== newSpec.info?.version)
    changes.push({
      level: "change",
      where: "info.version",
      message: `API version ${oldSpec.info?.version} → ${newSpec.info?.version}`,
    });
  return dedupe(changes);
}

/** A schema shared by several places is reported once per operation and location. */
function dedupe(changes: SpecChange[]): SpecChange[] {
  const seen = new Set<string>();
  return changes.filter((c) => {
    const key = `${c.level}|${c.operation}|${c.where}|${c.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
