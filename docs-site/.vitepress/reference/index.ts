import type { MarkdownRenderer } from "vitepress";
import { expandDirectives } from "./directives.js";
import { loadSpec } from "./spec.js";

export { expandDirectives } from "./directives.js";
export { errorCatalog } from "./error-catalog.js";
export { listOperations, loadSpec, operationsForTag, specPath } from "./spec.js";

/**
 * A markdown-it plugin that expands `fluxra:` directives before parsing. Because VitePress's
 * local search renders pages with the same markdown-it instance, the generated reference is
 * indexed too: searching for an operation finds it.
 */
export function fluxraReference(md: MarkdownRenderer): void {
  md.core.ruler.before("normalize", "fluxra-reference", (state: { src: string }) => {
    if (state.src.includes("fluxra:")) state.src = expandDirectives(state.src, loadSpec());
  });
}
