// Preload of ./idle-send.ts (`node --require idle-phases.cjs …`, bench only): for each request
// carrying `x-idle-seq`, hrtime marks (CLOCK_MONOTONIC ns, comparable across processes) when the
// server emits 'request', when res.end() is entered and when it returns, plus the marks an
// instrumented build makes with `globalThis.__idleMark(name)` while that request is the latest
// one (first call per name). SIGUSR2 writes them to IDLE_PHASES as JSON lines.
const http = require("node:http");
const fs = require("node:fs");

const out = process.env.IDLE_PHASES;
const records = [];
let current = null;
const now = () => String(process.hrtime.bigint());
globalThis.__idleMark = (name) => {
  if (current && !current.marks.some((m) => m[0] === name)) current.marks.push([name, now()]);
};
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  const [req, res] = args;
  if (event === "request") {
    const seq = req.headers["x-idle-seq"];
    if (seq !== undefined) {
      const record = { seq: Number(seq), marks: [["request", now()]] };
      records.push(record);
      current = record;
      const end = res.end;
      res.end = function (...endArgs) {
        record.marks.push(["endIn", now()]);
        const value = end.apply(this, endArgs);
        record.marks.push(["endOut", now()]);
        return value;
      };
    }
  }
  return emit.call(this, event, ...args);
};
process.on("SIGUSR2", () => {
  fs.writeFileSync(out, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
});
