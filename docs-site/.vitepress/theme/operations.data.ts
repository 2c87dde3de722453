import { defineLoader } from "vitepress";
import { mediaExamples } from "../reference/example.js";
import { listOperations, loadSpec, specPath } from "../reference/index.js";
import { deref } from "../reference/spec.js";

/** What the "try it" panel needs to know about one operation. */
export interface TryOperation {
  method: string;
  path: string;
  parameters: { name: string; in: string; required: boolean }[];
  body: string | null;
  needsAuth: boolean;
}

declare const data: Record<string, TryOperation>;

export { data };

/** Slim operation data for the client, read from the bundled spec at build time. */
export default defineLoader({
  watch: [specPath()],
  load(): Record<string, TryOperation> {
    const doc = loadSpec();
    const out: Record<string, TryOperation> = {};
    for (const op of listOperations(doc)) {
      const media = op.operation.requestBody
        ? deref(doc, op.operation.requestBody).content?.["application/json"]
        : undefined;
      const example = media ? mediaExamples(doc, media)[0] : undefined;
      const security = op.operation.security ?? doc.security ?? [];
      out[op.id] = {
        method: op.method,
        path: op.path,
        parameters: op.parameters
          .filter((p) => p.in === "path" || p.in === "query")
          .map((p) => ({ name: p.name, in: p.in, required: Boolean(p.required) })),
        body: example ? JSON.stringify(example.value, null, 2) : null,
        needsAuth: security.some((r) => Object.keys(r).length > 0),
      };
    }
    return out;
  },
});
