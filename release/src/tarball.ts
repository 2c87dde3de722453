import { execFileSync } from "node:child_process";
import type { Manifest } from "./workspace.js";

/** The files in an npm tarball, without the leading `package/`. */
export function tarballFiles(tarball: string): string[] {
  return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""))
    .sort();
}

/** The package.json inside an npm tarball: what the registry and installers will see. */
export function tarballManifest(tarball: string): Manifest {
  const text = execFileSync("tar", ["-xzOf", tarball, "package/package.json"], {
    encoding: "utf8",
  });
  return JSON.parse(text) as Manifest;
}

/** Every file path a manifest points at: bin, main, types and the leaves of exports. */
export function entryPoints(manifest: Manifest): string[] {
  const out = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === "string") out.add(value.replace(/^\.\//, ""));
    else if (value && typeof value === "object") for (const v of Object.values(value)) add(v);
  };
  add(manifest.bin);
  add(manifest.main);
  add(manifest.types);
  add(manifest.exports);
  return [...out].sort();
}
