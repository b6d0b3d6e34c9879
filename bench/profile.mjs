// Where the time of a swap or a load goes: a DevTools-protocol CPU profile of the page while
// it runs one of the bench's figures, printed as self time per function (the runtime's wasm
// keeps its function names). Not part of `npm run bench`.
//
//   node bench/profile.mjs [swap|load] [module MB] [state MB]     default: swap 4 1
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../scripts/chromium.mjs";
import { startServer } from "./server.mjs";

const [what = "swap", moduleMb = "4", stateMb = "1"] = process.argv.slice(2);
const codeBytes = Number(moduleMb) * (1 << 20), stateBytes = Number(stateMb) * (1 << 20);

const server = await startServer();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [...CHROMIUM_ARGS, "--js-flags=--expose-gc"],
});
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(server.url + "bench/page.html");
  await page.waitForFunction(() => window.benchReady === true);
  await page.evaluate(() => window.bench.init());
  const run = (reps, warmup) =>
    what === "load"
      ? page.evaluate((o) => window.bench.loadFigure(o), { codeBytes, reps, warmup })
      : page.evaluate((o) => window.bench.swapFigure(o), { codeBytes, stateBytes, reps, warmup });
  await run(2, 0); // warm the runtime up outside the profile

  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  const samples = await run(6, 0);
  const { profile } = await cdp.send("Profiler.stop");

  console.log(`${what}, module ${moduleMb} MB${what === "swap" ? `, state ${stateMb} MB` : ""}; ms per repetition:`);
  for (const [name, xs] of Object.entries(samples)) {
    if (typeof xs[0] === "number") console.log(`  ${name.padEnd(12)} ${xs.map((x) => x.toFixed(1)).join(" ")}`);
  }
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const key = `${functionName || "(anonymous)"}  ${url.split("/").pop()}${lineNumber >= 0 ? ":" + (lineNumber + 1) : ""}`;
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  console.log("\nself time over the profiled repetitions (both sides, and the page's own set-up and gc()):");
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
  }
} finally {
  await browser.close();
  await server.close();
}
