// Where the time of a swap or a load goes: a DevTools-protocol CPU profile of the page while
// it runs one of the bench's figures, printed as self time per function (the runtime's wasm
// functions by name where its build keeps the name section: scripts/build.sh's `wasm-opt` with
// `-g`; else as `wasm-function[i]`). Not part of `npm run bench`.
//
//   node bench/profile.mjs [swap|load] [module MB] [state MB]     default: swap 4 1
//   node bench/profile.mjs commit 1 0     figure 11: only the samples under staged.commit()
//   node bench/profile.mjs first 1        a page's first `load({ url, digest })` of a 1 MB module
//                                         after `initRuntime()`, then a second one, each profiled
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../scripts/chromium.mjs";
import { startServer } from "./server.mjs";

const [what = "swap", moduleMb = "4", stateMb = "1"] = process.argv.slice(2);
const COMMIT = what === "commit";
const codeBytes = Number(moduleMb) * (1 << 20), stateBytes = Number(stateMb) * (1 << 20);

const server = await startServer();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [...CHROMIUM_ARGS, "--js-flags=--expose-gc"],
});
try {
  const page = await (await browser.newContext()).newPage();
  if (what === "first") {
    await firstLoads(page);
  } else {
    await figure(page);
  }
} finally {
  await browser.close();
  await server.close();
}

/**
 * In a blank page of a fresh browser, the runtime initialised, then two loads of fresh `codeBytes`
 * modules from the bench server, each under a profile of its own: what a first run costs beyond
 * the second (V8 compiles the runtime's functions at their first call, and the first uses of
 * everything else in the page).
 */
async function firstLoads(page) {
  await page.goto(server.url + "tests/e2e/fixtures/blank.html");
  await page.evaluate(async () => {
    window.runtime = await import("/pkg/index.js");
    await window.runtime.initRuntime();
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
  for (const which of ["first", "second"]) {
    const made = await fetch(`${server.url}make?code=${codeBytes}&state=0&seed=${which}-${Date.now()}`, { method: "POST" });
    const { url, hash } = await made.json();
    await cdp.send("Profiler.start");
    const ms = await page.evaluate(async ({ url, hash }) => {
      const t0 = performance.now();
      await window.runtime.HotModule.load({ url, digest: `sha256:${hash}` });
      return performance.now() - t0;
    }, { url, hash });
    const { profile } = await cdp.send("Profiler.stop");
    console.log(`\n${which} load of a ${moduleMb} MB module: ${ms.toFixed(2)} ms`);
    printSelf(profile, null, 25);
  }
}

/** Figure 1, 4 or 11 run in bench/page.html, the runtime warmed up first, then profiled. */
async function figure(page) {
  await page.goto(server.url + "bench/page.html");
  await page.waitForFunction(() => window.benchReady === true);
  await page.evaluate(() => window.bench.init());
  const run = (reps, warmup) =>
    what === "load"
      ? page.evaluate((o) => window.bench.loadFigure(o), { codeBytes, reps, warmup })
      : COMMIT
      ? page.evaluate((o) => window.bench.commitFigure(o), { codeBytes, stateBytes, reps: reps * 25, warmup })
      : page.evaluate((o) => window.bench.swapFigure(o), { codeBytes, stateBytes, reps, warmup });
  await run(2, 0); // warm the runtime up outside the profile

  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: COMMIT ? 10 : 100 });
  await cdp.send("Profiler.start");
  const samples = await run(6, 0);
  const { profile } = await cdp.send("Profiler.stop");

  console.log(`${what}, module ${moduleMb} MB${what !== "load" ? `, state ${stateMb} MB` : ""}; ms per repetition:`);
  for (const [name, xs] of Object.entries(samples)) {
    if (typeof xs[0] === "number") console.log(`  ${name.padEnd(12)} ${xs.slice(0, 30).map((x) => x.toFixed(COMMIT ? 3 : 1)).join(" ")}`);
  }
  // With `commit`, only the samples whose stack holds the runtime's `stagedupdate_commit`
  // export count, and the inclusive time of each function under it is printed too.
  // The wasm-bindgen wrapper's `commit` method (the JS is minified, the method name stays).
  const isCommit = ({ functionName, url }) => functionName === "commit" && /(wasm_hotswap|index)\.js$/.test(url);
  const { inclusive, paths, total } = printSelf(profile, COMMIT ? isCommit : null, COMMIT ? 40 : 20);
  if (COMMIT) {
    console.log("\ninclusive time under staged.commit():");
    printTimes(inclusive, total, 40);
    console.log("\nthe call tree under staged.commit(), inclusive, branches of 1 % or more:");
    for (const [path, us] of [...paths].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (us < total / 100) continue;
      const parts = path.split(" > ");
      console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${"  ".repeat(parts.length - 1)}${parts.at(-1)}`);
    }
  }
}

/**
 * Prints the `count` functions with the most self time in `profile`. With `under` (a test of a
 * call frame), only the samples whose stack holds such a frame count, and their inclusive time
 * per function and call paths (up to 9 deep, from that frame) are returned too.
 */
function printSelf(profile, under, count) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (id) => {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    return `${functionName || "(anonymous)"}  ${url.split("/").pop()}${lineNumber >= 0 ? ":" + (lineNumber + 1) : ""}`;
  };
  const stack = (id) => {
    const out = [];
    for (let at = id; at !== undefined; at = parent.get(at)) out.push(at);
    return out;
  };
  const self = new Map(), inclusive = new Map(), paths = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0; // the time until the next sample
    const frames = stack(id);
    const at = under ? frames.findIndex((f) => under(nodes.get(f).callFrame)) : frames.length - 1;
    if (at < 0) return;
    const key = keyOf(id);
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
    if (!under) return;
    for (const k of new Set(frames.slice(0, at + 1).map(keyOf))) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    const below = frames.slice(0, at + 1).reverse().map(keyOf);
    for (let d = 1; d <= Math.min(below.length, 9); d++) {
      const path = below.slice(0, d).join(" > ");
      paths.set(path, (paths.get(path) ?? 0) + dt);
    }
  });
  console.log(under
    ? `\nself time under staged.commit() over the profiled repetitions (${(total / 1000).toFixed(1)} ms in all):`
    : `\nself time over the profile (${(total / 1000).toFixed(1)} ms in all; for a figure, both sides and the page's own set-up and gc()):`);
  printTimes(self, total, count);
  return { inclusive, paths, total };
}

/** The `count` largest of `times` (µs by function), with their share of `total`. */
function printTimes(times, total, count) {
  for (const [key, us] of [...times].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${(us / 1000).toFixed(2).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
  }
}
