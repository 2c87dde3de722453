import { ensureServerBuilt } from "/work/main/bench/src/build.js";
import { eventsFull, renderEventsMarkdown, runEventsBench } from "/work/main/bench/src/events/suite.js";
ensureServerBuilt();
const t = performance.now();
const r = await runEventsBench(eventsFull);
console.log(renderEventsMarkdown(r, true));
console.log("seconds", (performance.now() - t) / 1000);
