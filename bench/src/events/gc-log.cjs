// Preload (`node --require gc-log.cjs …`, bench only): appends one JSON line per garbage
// collection of this process's main isolate to the file named by FLUXRA_GC_LOG: its wall-clock
// start (epoch ms, `t`), kind (minor = scavenge, major = mark-compact, incr = incremental
// marking's finalisation, weakcb) and pause (`ms`). The held-streams cycles sum it per phase.
const { PerformanceObserver, performance, constants } = require("node:perf_hooks");
const fs = require("node:fs");

const path = process.env.FLUXRA_GC_LOG;
if (path) {
  const fd = fs.openSync(path, "a");
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
    [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incr",
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
  };
  new PerformanceObserver((list) => {
    let lines = "";
    for (const e of list.getEntries()) {
      const kind = kinds[e.detail?.kind] ?? String(e.detail?.kind);
      lines += `${JSON.stringify({ t: performance.timeOrigin + e.startTime, kind, ms: e.duration })}\n`;
    }
    fs.writeSync(fd, lines);
  }).observe({ entryTypes: ["gc"] });
}
