// `npm run bench`: every figure of the benchmark in Debian's headless Chromium, each against a
// floor measured in the same page and run. Prints a table, writes bench/results.json.
//
//   node bench/run.mjs            full run (a few minutes on 2 cores)
//   BENCH_QUICK=1 node bench/run.mjs   a quarter of the repetitions, to try changes
import { chromium } from "playwright-core";
import { gzipSync } from "node:zlib";
import { readFile, readdir, writeFile, stat } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { cpus, totalmem, release } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "./server.mjs";
import { summary, ratio, medians } from "./stats.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const QUICK = process.env.BENCH_QUICK === "1";
const reps = (n) => (QUICK ? Math.max(3, Math.round(n / 4)) : n);
const KB = 1 << 10, MB = 1 << 20;
const CODE = [["10 KB", 10 * KB], ["1 MB", MB], ["4 MB", 4 * MB]];
const STATE = [["0", 0], ["1 MB", MB], ["16 MB", 16 * MB]];
const SWAPS = QUICK ? 200 : 1000;

const log = (...a) => console.error("bench:", ...a);
const started = Date.now();

// ---------------------------------------------------------------------------------------------
// Browser

const server = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    // gc() for collections outside the timed regions and for figure 8's proof.
    "--js-flags=--expose-gc",
    "--enable-precise-memory-info",
    // measureUserAgentSpecificMemory() measures at once instead of at the next natural GC.
    "--enable-blink-features=ForceEagerMeasureMemory",
  ],
});

async function benchPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => log("[page error]", e.message));
  page.on("console", (m) => m.type() === "error" && log("[page console]", m.text()));
  await page.goto(server.url + "bench/page.html");
  await page.waitForFunction(() => window.benchReady === true);
  return { page, context };
}

const results = { figures: {} };
const fig = results.figures;
const rows = []; // the printed table

try {
  const { page, context } = await benchPage();
  const env = await page.evaluate(() => window.bench.init());
  if (!env.crossOriginIsolated) throw new Error("the bench page is not cross-origin isolated");
  results.browser = { version: browser.version(), ...env };
  log(`Chromium ${browser.version()}, cross-origin isolated, timer step ${env.timerStepUs.toFixed(1)} us`);

  // -- Figures 1 and 2 ------------------------------------------------------------------------
  fig.swap = [];
  for (const [codeName, codeBytes] of CODE) {
    for (const [stateName, stateBytes] of STATE) {
      const n = reps(codeBytes >= 4 * MB ? 12 : codeBytes >= MB ? 16 : 24);
      log(`1/2 swap: module ${codeName}, state ${stateName} (${n} reps)`);
      const raw = await page.evaluate((o) => window.bench.swapFigure(o), { codeBytes, stateBytes, reps: n });
      const cell = {
        module: codeName,
        state: stateName,
        ours: summary(raw.ours),
        floor: summary(raw.floor),
        ratio: ratio(raw.ours, raw.floor),
        commit: summary(raw.commit),
        floorCommit: summary(raw.floorMove),
        commitRatio: ratio(raw.commit, raw.floorMove),
        floorPrepare: summary(raw.floorPrepare),
        stages: medians(raw.stages),
        commitStages: medians(raw.commitStages),
        samples: raw,
      };
      fig.swap.push(cell);
    }
  }

  // -- Figure 3 -------------------------------------------------------------------------------
  log("3 per-call cost");
  {
    const raw = await page.evaluate((o) => window.bench.callFigure(o), { calls: 1_000_000, samples: reps(24) });
    fig.calls = {
      calls: raw.calls,
      swaps: raw.swaps,
      before: { ours: summary(raw.before.ours), raw: summary(raw.before.raw), ratio: ratio(raw.before.ours, raw.before.raw) },
      after: { ours: summary(raw.after.ours), raw: summary(raw.after.raw), ratio: ratio(raw.after.ours, raw.after.raw) },
      samples: raw,
    };
  }

  // -- Figures 4 and 5 ------------------------------------------------------------------------
  fig.load = [];
  for (const [codeName, codeBytes] of CODE) {
    const n = reps(codeBytes >= 4 * MB ? 12 : codeBytes >= MB ? 16 : 24);
    log(`4/5 load over loopback: module ${codeName} (${n} reps)`);
    const raw = await page.evaluate((o) => window.bench.loadFigure(o), { codeBytes, reps: n });
    fig.load.push({
      module: codeName,
      ours: summary(raw.ours),
      raw: summary(raw.raw),
      extism: summary(raw.extism),
      vsRaw: ratio(raw.ours, raw.raw),
      vsExtism: ratio(raw.ours, raw.extism),
      samples: raw,
    });
  }

  // -- Figure 8 -------------------------------------------------------------------------------
  log(`8 memory over ${SWAPS} swaps back and forth (1 MB of state)`);
  {
    const start = await page.evaluate(() => window.bench.leakStart());
    start.rendererRss = rendererRss();
    let progress;
    for (let done = 0; done < SWAPS; done += 250) {
      progress = await page.evaluate((count) => window.bench.leakSwaps({ count }), Math.min(250, SWAPS - done));
      log(`  ${progress.swaps} swaps, ${progress.msPerSwap.toFixed(2)} ms each`);
    }
    const end = await page.evaluate(() => window.bench.leakEnd());
    end.rendererRss = rendererRss();
    fig.memory = { swaps: SWAPS, start, end, msPerSwap: progress.msPerSwap };
  }
  await context.close();

  // -- Figure 6 -------------------------------------------------------------------------------
  log("6 demo: hot swap v1 -> v2 vs full page reload");
  fig.demo = await demoFigure(reps(15));

  // -- Figure 7 -------------------------------------------------------------------------------
  fig.size = await sizeFigure();
} finally {
  await browser.close();
  await server.close();
}

// ---------------------------------------------------------------------------------------------

async function demoFigure(n) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => log("[demo page error]", e.message));
  // The moment the demo declares itself ready, on the page's own clock (0 = navigation start).
  await page.addInitScript(() => {
    let demo;
    Object.defineProperty(window, "hotswapDemo", {
      configurable: true,
      get: () => demo,
      set(value) {
        demo = value;
        if (value?.ready) window.__benchReadyAt = performance.now();
      },
    });
  });
  const ready = async () => {
    await page.waitForFunction(() => window.__benchReadyAt !== undefined || window.hotswapDemo?.ready === false);
    return page.evaluate(() => {
      if (!window.hotswapDemo.ready) throw new Error(`demo failed: ${window.hotswapDemo.error}`);
      const nav = performance.getEntriesByType("navigation")[0];
      return { ms: window.__benchReadyAt, responseEnd: nav.responseEnd, domContentLoaded: nav.domContentLoadedEventEnd };
    });
  };
  await page.goto(server.url + "www/");
  await ready();
  const swap = [], reload = [], reports = [], navs = [];
  for (let r = -2; r < n; r++) {
    const s = await page.evaluate(async () => {
      const { module: m, manifest } = window.hotswapDemo;
      m.exports.increment(5);
      const source = { url: new URL(manifest.v2.url, document.baseURI).href, digest: manifest.v2.digest };
      const t0 = performance.now();
      const report = await m.swap(source);
      const ms = performance.now() - t0;
      if (m.exports.get() !== 5 || m.version !== manifest.v2.version) throw new Error("demo: state or version not carried");
      return { ms, report };
    });
    await page.reload();
    const nav = await ready();
    if (r >= 0) {
      swap.push(s.ms);
      reports.push({ ...s.report.stages, commit: s.report.commit, total: s.report.total });
      reload.push(nav.ms);
      navs.push(nav);
    }
  }
  await context.close();
  return {
    swap: summary(swap),
    reload: summary(reload),
    ratio: ratio(swap, reload),
    swapStages: medians(reports),
    reloadBreakdown: medians(navs),
    samples: { swap, reload },
  };
}

async function sizeFigure() {
  const gz = async (path) => gzipSync(await readFile(join(ROOT, path)), { level: 9 }).length;
  const size = async (path) => (await stat(join(ROOT, path))).size;
  async function jsFiles(dir) {
    const out = [];
    for (const entry of await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && entry.name.endsWith(".js")) out.push(join(entry.parentPath ?? entry.path, entry.name).slice(ROOT.length));
    }
    return out;
  }
  async function build(name, dir) {
    const wasm = `${dir}/wasm_hotswap_bg.wasm`;
    const js = [`${dir}/wasm_hotswap.js`, ...(await jsFiles(`${dir}/snippets`).catch(() => [])), "dist/index.js"];
    let jsGz = 0;
    const jsDetail = {};
    for (const f of js) jsGz += jsDetail[f] = await gz(f);
    const wasmGz = await gz(wasm);
    return { build: name, wasm, wasmRaw: await size(wasm), wasmGz, js: jsDetail, jsGz, totalGz: wasmGz + jsGz };
  }
  const builds = [await build("default", "pkg")];
  // A WIT build, if one exists as a separate output directory (pkg-wit/ or pkg/wit/).
  for (const dir of ["pkg-wit", "pkg/wit"]) {
    if (await stat(join(ROOT, dir, "wasm_hotswap_bg.wasm")).catch(() => null)) builds.push(await build("wit", dir));
  }
  return { builds, witBuild: builds.length > 1 };
}

/** Resident memory of Chromium's renderer processes (descendants of this process), in bytes. */
function rendererRss() {
  try {
    const out = execFileSync("ps", ["-e", "-o", "pid=,ppid=,rss=,args="], { encoding: "utf8" });
    const procs = out.trim().split("\n").map((line) => {
      const [pid, ppid, rss, ...args] = line.trim().split(/\s+/);
      return { pid: +pid, ppid: +ppid, rss: +rss * 1024, args: args.join(" ") };
    });
    const mine = new Set([process.pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of procs) if (!mine.has(p.pid) && mine.has(p.ppid)) (mine.add(p.pid), (grew = true));
    }
    return procs.filter((p) => mine.has(p.pid) && p.args.includes("--type=renderer")).reduce((n, p) => n + p.rss, 0);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (x) => (x < 0.1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));
const spread = (s, unit = " ms") => `${ms(s.median)}${unit} [${ms(s.p25)}–${ms(s.p75)}]`;
const rx = (r) => `${r.value.toFixed(2)}× [${r.p25.toFixed(2)}–${r.p75.toFixed(2)}]`;
const verdict = (value, goal) => (value <= goal ? "met" : "NOT met");
const mb = (b) => (b === null || b === undefined ? "n/a" : `${(b / MB).toFixed(1)} MB`);

for (const c of fig.swap) {
  rows.push(["1", `swap ${c.module} module, ${c.state} state`, spread(c.ours), spread(c.floor), rx(c.ratio), "≤ 1.15×", verdict(c.ratio.value, 1.15)]);
}
for (const c of fig.swap) {
  rows.push(["2", `commit ${c.module} module, ${c.state} state`, spread(c.commit), spread(c.floorCommit), rx(c.commitRatio), "≤ 1.2×", verdict(c.commitRatio.value, 1.2)]);
}
for (const phase of ["before", "after"]) {
  const c = fig.calls[phase];
  rows.push(["3", `call m.exports.add, ${phase} ${fig.calls.swaps} swaps`, spread(c.ours, " ns"), spread(c.raw, " ns"), rx(c.ratio), "≤ 1.15×", verdict(c.ratio.value, 1.15)]);
}
for (const c of fig.load) {
  rows.push(["4", `load({ url, digest }) ${c.module}`, spread(c.ours), spread(c.raw), rx(c.vsRaw), "≤ 1.10×", verdict(c.vsRaw.value, 1.1)]);
}
for (const c of fig.load) {
  rows.push(["5", `load vs Extism createPlugin({url, hash}) ${c.module}`, spread(c.ours), spread(c.extism), rx(c.vsExtism), "< 1× (faster)", c.vsExtism.value < 1 ? "met" : "NOT met"]);
}
rows.push(["6", "demo v1 → v2: hot swap vs page reload", spread(fig.demo.swap), spread(fig.demo.reload), rx(fig.demo.ratio), "report", "—"]);
for (const b of fig.size.builds) {
  rows.push(["7", `runtime size (${b.build}): wasm ${(b.wasmRaw / KB).toFixed(1)} KB raw, ${(b.wasmGz / KB).toFixed(1)} KB gz; JS ${(b.jsGz / KB).toFixed(1)} KB gz`, `${(b.totalGz / KB).toFixed(1)} KB gz`, "—", "—", "≤ 100 KB gz", verdict(b.totalGz, 100 * KB)]);
}
if (!fig.size.witBuild) rows.push(["7", "runtime size (wit): no separate WIT build exists", "—", "—", "—", "—", "—"]);
{
  const m = fig.memory;
  const flat = m.end.live <= 2;
  rows.push(["8", `memory after ${m.swaps} swaps: live memories ${m.start.registered - m.start.collected} → ${m.end.live} (of ${m.end.registered}); JS heap ${mb(m.start.usedJSHeapSize)} → ${mb(m.end.usedJSHeapSize)}; UA memory ${mb(m.start.measureUserAgentSpecificMemory)} → ${mb(m.end.measureUserAgentSpecificMemory)}; renderer RSS ${mb(m.start.rendererRss)} → ${mb(m.end.rendererRss)}`, `${m.end.live} live`, "1 live", "—", "flat", flat ? "met" : "NOT met"]);
}

const header = ["#", "figure", "wasm-hotswap median [p25–p75]", "floor / peer median [p25–p75]", "ratio [paired p25–p75]", "goal", ""];
const table = [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");

const breakdown = [
  "| module, state | swap total | fetchVerify | inspect | gate | compile | instantiate | commit (save / copy / load / rebind) | floor compile+instantiate | floor save+copy+load |",
  "|---|---|---|---|---|---|---|---|---|---|",
  ...fig.swap.map((c) => {
    const s = c.stages, k = c.commitStages;
    return `| ${c.module}, ${c.state} | ${ms(c.ours.median)} | ${ms(s.fetchVerify)} | ${ms(s.inspect)} | ${ms(s.gate)} | ${ms(s.compile)} | ${ms(s.instantiate)} | ${ms(k.total)} (${ms(k.save)} / ${ms(k.copy)} / ${ms(k.load)} / ${ms(k.rebind)}) | ${ms(c.floorPrepare.median)} | ${ms(c.floorCommit.median)} |`;
  }),
].join("\n");

const cpu = cpus()[0]?.model ?? "unknown";
results.machine = {
  cpu,
  cores: cpus().length,
  memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
  kernel: release(),
  node: process.version,
  chromium: browser.version(),
};
results.command = QUICK ? "BENCH_QUICK=1 node bench/run.mjs" : "npm run bench";
results.date = new Date().toISOString();
results.seconds = (Date.now() - started) / 1000;
results.table = table;
results.breakdown = breakdown;
await writeFile(join(ROOT, "bench/results.json"), JSON.stringify(results, null, 2) + "\n");

console.log(`\nwasm-hotswap benchmark — ${results.date}`);
console.log(`machine: ${cpu}, ${results.machine.cores} cores, ${results.machine.memory}; Chromium ${results.machine.chromium} headless; Node ${process.version}`);
console.log(`command: ${results.command}; ${results.seconds.toFixed(0)} s; fresh bytes every repetition; times in ms unless named\n`);
console.log(table);
console.log("\nFigure 1 by stage (medians, ms):\n");
console.log(breakdown);
console.log(`\nFigure 6: swap stages ${JSON.stringify(fig.demo.swapStages)}; reload breakdown ${JSON.stringify(fig.demo.reloadBreakdown)}`);
console.log("\nwrote bench/results.json");
