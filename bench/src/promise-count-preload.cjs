// Counts promises created (async_hooks PROMISE inits) between SIGWINCH and SIGUSR2; prints to stderr.
const { createHook } = require("node:async_hooks");
let promises = 0;
let on = false;
createHook({
  init(_id, type) {
    if (on && type === "PROMISE") promises++;
  },
}).enable();
process.on("SIGWINCH", () => {
  promises = 0;
  on = true;
});
process.on("SIGUSR2", () => {
  on = false;
  require("node:fs").writeFileSync(process.env.PROMISE_OUT, String(promises));
});
