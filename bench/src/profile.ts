import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the sampled CPU time. */
export interface HotFunction {
  name: string;
  where: string;
  selfMs: number;
  selfPct: number;
}

/**
 * Self time per function (summed over every call site) from the `.cpuprofile` files in `dir`,
 * heaviest first, as a share of the busy time (`(idle)` samples, the server waiting for requests
 * between phases, are left out). GC shows up as `(garbage collector)`.
 */
export function topSelfTime(dir: string, root: string, top = 25): HotFunction[] {
  const self = new Map<string, { name: string; where: string; us: number }>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id);
      const us = profile.timeDeltas[i] ?? 0;
      if (!frame || frame.functionName === "(idle)") return;
      const url = frame.url.replace(/^file:\/\//, "");
      const where = url ? `${relative(root, url)}:${frame.lineNumber + 1}` : "";
      const key = `${frame.functionName}@${where}`;
      const entry = self.get(key) ?? { name: frame.functionName || "(anonymous)", where, us: 0 };
      entry.us += us;
      self.set(key, entry);
      total += us;
    });
  }
  return [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({
      name: e.name,
      where: e.where,
      selfMs: e.us / 1000,
      selfPct: (100 * e.us) / total,
    }));
}
