// Starts V8's sampling heap profiler in-process, keeping objects collected by minor and major GC,
// and writes the profile on SIGUSR2 to $HEAP_OUT.
const inspector = require("node:inspector");
const fs = require("node:fs");
const s = new inspector.Session();
s.connect();
process.on("SIGWINCH", () => {
  s.post(
    "HeapProfiler.startSampling",
    {
      samplingInterval: Number(process.env.HEAP_INTERVAL ?? 512),
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    },
    (e) => {
      if (e) console.error("startSampling", e);
      else console.error("HEAP sampling on");
    },
  );
});
process.on("SIGUSR2", () => {
  s.post("HeapProfiler.stopSampling", (e, r) => {
    if (e) {
      console.error(e);
      return;
    }
    fs.writeFileSync(process.env.HEAP_OUT, JSON.stringify(r.profile));
    console.error("HEAP written");
  });
});
