import type { Hono } from "hono";
import { ApiError } from "./errors.js";

/**
 * Decides between 404 `route_not_found` and 405 `method_not_allowed` (with `Allow`) for a
 * request no route answered, by matching its path against every registered route.
 */
export function createRouteMiss(app: Hono<never>) {
  let table: { pattern: RegExp; method: string }[] | undefined;
  const build = () =>
    app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => ({
        method: r.method,
        pattern: new RegExp(
          `^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\/:[^/]+/g, "/[^/]+")}/?$`,
        ),
      }));
  return (method: string, path: string): ApiError => {
    table ??= build();
    const allowed = new Set(table.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (allowed.size === 0 || allowed.has(method)) {
      return new ApiError("route_not_found", `No route ${method} ${path}.`);
    }
    if (allowed.has("GET")) allowed.add("HEAD");
    return new ApiError("method_not_allowed", `${method} is not allowed on ${path}.`, {
      headers: { Allow: [...allowed].sort().join(", ") },
    });
  };
}
