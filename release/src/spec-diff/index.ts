export { byVersion, type ReleasedSpec, renderApiChangelog } from "./changelog.js";
export { diffSpecs } from "./diff.js";
export { loadReleasedSpecs, releasedDir } from "./released.js";
export type { Level, SpecChange } from "./types.js";
