// `npm run bench`: every figure of the benchmark in Debian's headless Chromium, each against a
// floor measured in the same page and run. Prints a table, writes bench/results.json.
//
//   node bench/run.mjs                   full run (about 18 minutes on 2 cores, 16 of them figure 12); writes
//                                        bench/results.json and appends to bench/history/
//   node bench/run.mjs --quick           every figure with few repetitions, in about a minute
//                                        (`npm run bench -- --quick`); fails if a figure is
//                                        missing, whatever its values; writes bench/results.quick.json
//   BENCH_ONLY=1,3 node bench/run.mjs    only some figures (1 includes 2; 4 includes 5; 9 includes 9b; 8b, 10, 11 and 12 are their own)
import { chromium } from "playwright-core";
import { gzipSync } from "node:zlib";
import { readFile, writeFile, stat } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { cpus, totalmem, release, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CHROMIUM, CHROMIUM_ARGS } from "../scripts/chromium.mjs";
import { startServer } from "./server.mjs";
import { summary, ratio, medians } from "./stats.mjs";
import { wasmSections } from "./guest.mjs";
import { prepareComponents } from "./component.mjs";
import { coldFigure, appBreakdown, floorBreakdown } from "./cold.mjs";
import { appendHistory, missingFigures } from "./history.mjs";
import { closeAll, detachedPage } from "./driver.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const QUICK = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
// Quick: enough repetitions for every figure to be computed (medians of a few), no more.
const reps = (n) => (QUICK ? 2 : n);
const KB = 1 << 10, MB = 1 << 20;
const CODE = [["10 KB", 10 * KB], ["1 MB", MB], ["4 MB", 4 * MB]];
const STATE = [["0", 0], ["1 MB", MB], ["16 MB", 16 * MB]];
// Figure 11: staged.commit() of a 1 MB module, with 0 and 1 MB of state.
const COMMIT_CODE = ["1 MB", MB];
const COMMIT_STATE = [["0", 0], ["1 MB", MB]];
// Figure 12: the cold start, with a 10 KB and a 1 MB guest; first, second and third visits.
const COLD_CODE = [["10 KB", 10 * KB], ["1 MB", MB]];
const VISIT_NAMES = ["first visit (cold)", "second visit (warm: HTTP cache)", "third visit (HTTP cache + V8's JS code cache)"];
const SWAPS = QUICK ? 50 : 1000;
// Figure 9: 1 MB of notes; figure 8b: a guest holding 32 MB, at least 100 swaps.
const BINDGEN_NOTES = 8192, BINDGEN_NOTE_BYTES = 128;
const BINDGEN_SWAPS = QUICK ? 25 : 200, BALLAST_MB = QUICK ? 8 : 32;
// Figure 8b's control pins every version: BALLAST_MB of RSS each.
const CONTROL_SWAPS = QUICK ? 3 : 10;
// Figure 10: the Rust counter component holding 16,384 keys of 48 bytes (~0.9 MB of state).
const COMPONENT_KEYS = 16384, COMPONENT_KEY_BYTES = 48;
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",").map((x) => x.trim())) : null;
const want = (n) => ONLY === null || ONLY.has(String(n));

const log = (...a) => console.error(`bench: [${((Date.now() - started) / 1000).toFixed(1)} s]`, ...a);
const mb = (b) => (b === null || b === undefined ? "n/a" : `${(b / MB).toFixed(1)} MB`);
const started = Date.now();

// ---------------------------------------------------------------------------------------------
// Browser

// The flags of every bench browser: gc() for collections outside the timed regions and for
// figure 8's proof; measureUserAgentSpecificMemory() measuring at once instead of at the next
// natural GC.
const browserArgs = (jsFlags = []) => [
  ["--js-flags=--expose-gc", ...jsFlags].join(" "),
  "--enable-precise-memory-info",
  "--enable-blink-features=ForceEagerMeasureMemory",
];

/** A Playwright-driven Chromium: figure 6's demo, which is driven by clicks and reloads. */
function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...browserArgs()] });
}

// Figure 10's registry (build, publish) before the server serves it.
const components = want(10) ? prepareComponents(log) : null;
const server = await startServer();
const loadStart = loadavg();

/**
 * bench/page.html in a Chromium of its own, a fresh profile, no DevTools-protocol client
 * attached (bench/driver.mjs: a page with one, as Playwright's are, times differently).
 */
function benchPage(jsFlags = []) {
  return detachedPage(server, "bench/page.html", { args: browserArgs(jsFlags), log: (text) => log(text) });
}

const results = { figures: {} };
const fig = results.figures;
const rows = []; // the printed table

try {
  // -- Figure 3, first, in a page of its own ------------------------------------------------
  // The stubs on m.exports are closures of one function literal per arity, and V8 gives such
  // closures one shared feedback vector: every module loaded earlier in the same page would
  // have made the call inside the stub polymorphic before "before" is measured.
  if (want(3)) {
    log("3 per-call cost (fresh page)");
    const callPage = await benchPage();
    await callPage.evaluate(() => window.bench.init());
    const raw = await callPage.evaluate((o) => window.bench.callFigure(o), { calls: 200_000, samples: reps(100) });
    await callPage.close();
    fig.calls = {
      calls: raw.calls,
      swaps: raw.swaps,
      before: { ours: summary(raw.before.ours), raw: summary(raw.before.raw), ratio: ratio(raw.before.ours, raw.before.raw) },
      after: { ours: summary(raw.after.ours), raw: summary(raw.after.raw), ratio: ratio(raw.after.ours, raw.after.raw) },
      samples: raw,
    };
  }

  const page = await benchPage();
  const env = await page.evaluate(() => window.bench.init());
  if (!env.crossOriginIsolated) throw new Error("the bench page is not cross-origin isolated");
  // The user agent says 156.0.0.0 (Chromium's reduced UA); the binary says its full version.
  const version = execFileSync(CHROMIUM, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).match(/([\d]+\.[\d.]+)/)?.[1] ?? "unknown";
  results.browser = { version, ...env };
  log(`Chromium ${version}, cross-origin isolated, timer step ${env.timerStepUs.toFixed(1)} us, no DevTools-protocol client`);

  // -- Figures 1 and 2 ------------------------------------------------------------------------
  if (want(1) || want(2)) {
    fig.swap = [];
    for (const [codeName, codeBytes] of CODE) {
      for (const [stateName, stateBytes] of STATE) fig.swap.push(await swapCell(page, codeName, codeBytes, stateName, stateBytes));
    }
  }

  // -- Figure 11 ----------------------------------------------------------------------------
  if (want(11)) {
    fig.stagedCommit = [];
    const [codeName, codeBytes] = COMMIT_CODE;
    for (const [stateName, stateBytes] of COMMIT_STATE) {
      const n = reps(100);
      log(`11 staged.commit(): module ${codeName}, state ${stateName} (${n} reps)`);
      const raw = await page.evaluate((o) => window.bench.commitFigure(o), { codeBytes, stateBytes, reps: n });
      fig.stagedCommit.push({
        module: codeName,
        state: stateName,
        ours: summary(raw.ours),
        floor: summary(raw.floor),
        ratio: ratio(raw.ours, raw.floor),
        reportCommit: summary(raw.reportCommit),
        reportCommitRatio: ratio(raw.reportCommit, raw.floor),
        floorInstantiate: summary(raw.floorInstantiate),
        floorMove: summary(raw.floorMove),
        commitStages: medians(raw.commitStages),
        listened: medians(raw.listened),
        samples: raw,
      });
    }
  }

  // -- Figures 4 and 5 ------------------------------------------------------------------------
  if (want(4) || want(5)) fig.load = [];
  for (const [codeName, codeBytes] of want(4) || want(5) ? CODE : []) {
    const n = reps(codeBytes >= 4 * MB ? 24 : codeBytes >= MB ? 30 : 40);
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
  if (want(8)) {
    log(`8 memory over ${SWAPS} swaps back and forth (1 MB of state)`);
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
  await page.close();

  // -- Figures 9 and 9b, in a page of their own ------------------------------------------------
  // The floor imports each glue as an ES module, whose record is never unloaded: its instances
  // stay alive for the page's life, and would weigh on every figure measured after them.
  if (want(9) || want("9b")) {
    log(`9/9b swap of a wasm-bindgen guest: notes v1 -> v2, ${BINDGEN_NOTES} notes of ${BINDGEN_NOTE_BYTES} bytes (${reps(30)} reps)`);
    const own = await benchPage();
    await own.evaluate(() => window.bench.init());
    const raw = await own.evaluate((o) => window.bench.bindgenSwapFigure(o), { reps: reps(30), notes: BINDGEN_NOTES, noteBytes: BINDGEN_NOTE_BYTES });
    await own.close();
    fig.bindgenSwap = { stateBytes: raw.stateBytes, ...swapSummary(raw) };
  }

  // -- Figure 10, in a page of its own -------------------------------------------------------
  // The floor imports each version's JS as an ES module (never unloaded), as figure 9 does.
  if (want(10)) {
    log(`10 swap of a component: counter 1.0.0 -> 1.1.0 from the registry, ${COMPONENT_KEYS} keys of ${COMPONENT_KEY_BYTES} bytes (${reps(30)} reps)`);
    const own = await benchPage();
    await own.evaluate(() => window.bench.init());
    const raw = await own.evaluate((o) => window.bench.componentSwapFigure(o), { reps: reps(30), keys: COMPONENT_KEYS, keyBytes: COMPONENT_KEY_BYTES });
    await own.close();
    fig.componentSwap = {
      keys: COMPONENT_KEYS, keyBytes: COMPONENT_KEY_BYTES, stateBytes: raw.stateBytes, swapStateBytes: raw.oursStateBytes,
      ...swapSummary(raw),
      floorImport: summary(raw.floorImport),
      loopback: summary(raw.loopback),
      floorLoopback: summary(raw.floorLoopback),
      loopbackRatio: ratio(raw.loopback, raw.floorLoopback),
      loopbackVsFloor: ratio(raw.loopback, raw.floor),
      loopbackCommit: summary(raw.loopbackCommit),
      loopbackStages: medians(raw.loopbackStages),
      loopbackCommitStages: medians(raw.loopbackCommitStages),
      sizes: components.sizes,
    };
  }

  // -- Figure 8b, in a page of its own, so the renderer holds nothing else ------------------
  if (want("8b")) {
    log(`8b memory over ${BINDGEN_SWAPS} swaps of a wasm-bindgen guest holding ${BALLAST_MB} MB`);
    const own = await benchPage();
    await own.evaluate(() => window.bench.init());
    // The page's renderer is the one the first ballast grows; the sum over all renderers also
    // counts Chromium's spare renderer and those of closed pages, which come and go.
    const idle = rendererProcesses();
    const start = await own.evaluate((mb) => window.bench.bindgenLeakStart({ mb }), BALLAST_MB);
    const pid = grewMost(idle, rendererProcesses());
    const sample = (extra) => ({ ...extra, pageRss: processRss(pid), rendererRss: rendererRss() });
    Object.assign(start, sample());
    const rss = [sample({ swaps: 0 })];
    let progress;
    for (let done = 0; done < BINDGEN_SWAPS; done += 25) {
      progress = await own.evaluate((count) => window.bench.bindgenLeakSwaps({ count }), Math.min(25, BINDGEN_SWAPS - done));
      // The renderer as the swaps left it, then after a full GC (outside the swaps' timing).
      const beforeGc = processRss(pid);
      await own.evaluate(() => window.bench.gc());
      rss.push(sample({ swaps: progress.swaps, beforeGc }));
      log(`  ${progress.swaps} swaps, ${progress.msPerSwap.toFixed(1)} ms each, page renderer RSS ${mb(beforeGc)}, after GC ${mb(rss.at(-1).pageRss)}`);
    }
    const end = await own.evaluate(() => window.bench.bindgenLeakEnd());
    Object.assign(end, sample());
    // The control, in the same page: glues imported as ES modules, which pin their versions.
    const control = { start: sample() };
    Object.assign(control, await own.evaluate((o) => window.bench.bindgenLeakControl(o), { mb: BALLAST_MB, swaps: CONTROL_SWAPS }));
    control.end = sample();
    log(`  control, ${CONTROL_SWAPS} swaps through ES-module glues: ${control.alive.memory} memories alive, page renderer RSS ${mb(control.start.pageRss)} -> ${mb(control.end.pageRss)}`);
    await own.close();
    fig.bindgenMemory = { swaps: BINDGEN_SWAPS, mb: BALLAST_MB, start, end, rss, msPerSwap: progress.msPerSwap, control };
  }

  // -- Figure 6 -------------------------------------------------------------------------------
  if (want(6)) {
    log("6 demo: hot swap v1 -> v2 vs full page reload");
    fig.demo = await demoFigure(reps(20));
  }

  // -- Figure 7 -------------------------------------------------------------------------------
  if (want(7)) fig.size = await sizeFigure();

  // -- Figure 12, in browsers of its own (a fresh profile for each side of each repetition) ----
  if (want(12)) {
    const raw = await coldFigure({ server, sizes: COLD_CODE, reps: QUICK ? 1 : 12, stay: QUICK ? 100 : 1000, preload: !QUICK, log });
    fig.coldStart = raw.map((cell) => ({
      module: cell.module,
      visits: VISIT_NAMES.map((name, v) => {
        const ours = cell.ours.map((visits) => visits[v]), floor = cell.floor.map((visits) => visits[v]);
        const preload = cell.preload.map((visits) => visits[v]), floorFile = cell.floorFile.map((visits) => visits[v]);
        const t = (xs) => xs.map((x) => x.served);
        return {
          visit: v + 1,
          name,
          ours: summary(t(ours)),
          floor: summary(t(floor)),
          ratio: ratio(t(ours), t(floor)),
          // The app page with <link rel=modulepreload> / <link rel=preload> for the runtime's files.
          // (Not measured by --quick.)
          preload: preload.length ? summary(t(preload)) : null,
          preloadRatio: preload.length ? ratio(t(preload), t(floor)) : null,
          preloadStages: preload.length ? medians(preload.map(appBreakdown)) : null,
          // The floor page with its script in a module file of its own, as an app's bundle is:
          // the same number of requests in sequence before a script runs as the app page.
          floorFile: floorFile.length ? summary(t(floorFile)) : null,
          vsFloorFile: floorFile.length ? ratio(t(ours), t(floorFile)) : null,
          floorFileStages: floorFile.length ? medians(floorFile.map(floorBreakdown)) : null,
          oursStages: medians(ours.map(appBreakdown)),
          floorStages: medians(floor.map(floorBreakdown)),
          // What came from the HTTP cache without a request (transferSize 0), of what was fetched.
          oursFromCache: medians(ours.map((x) => ({ cached: x.fromCache.length, fetched: x.resources.length }))),
          floorFromCache: medians(floor.map((x) => ({ cached: x.fromCache.length, fetched: x.resources.length }))),
          documentStatus: [...new Set([...ours, ...floor].map((x) => x.nav.status))],
          // The profile's code caches after the visit (V8's, kept by Chromium on disk).
          oursCodeCache: medians(ours.map((x) => ({ js: x.codeCache.js.bytes, wasm: x.codeCache.wasm.bytes }))),
          floorCodeCache: medians(floor.map((x) => ({ js: x.codeCache.js.bytes, wasm: x.codeCache.wasm.bytes }))),
        };
      }),
      samples: cell,
    }));
  }

  // -- Figure 1 again with lazy compilation off -----------------------------------------------
  // Chrome compiles wasm lazily: `compile` only decodes and validates, and a function is
  // compiled on its first call, so the filler code of the generated guests is never compiled.
  // Apps that call most of their code pay the rest later; this pass shows the swap when the
  // engine compiles everything up front.
  if (want(1) && !QUICK) {
    const eager = await benchPage(["--no-wasm-lazy-compilation"]);
    await eager.evaluate(() => window.bench.init());
    fig.swapEager = [];
    for (const [codeName, codeBytes] of CODE.slice(1)) {
      fig.swapEager.push(await swapCell(eager, codeName, codeBytes, "1 MB", MB, "eager compilation, "));
    }
    await eager.close();
  }
} finally {
  await closeAll();
  await server.close();
}

// ---------------------------------------------------------------------------------------------

async function swapCell(page, codeName, codeBytes, stateName, stateBytes, note = "") {
  const n = reps(codeBytes >= 4 * MB ? 16 : codeBytes >= MB ? 20 : 60);
  log(`1/2 swap: ${note}module ${codeName}, state ${stateName} (${n} reps)`);
  const raw = await page.evaluate((o) => window.bench.swapFigure(o), { codeBytes, stateBytes, reps: n });
  return {
    module: codeName,
    state: stateName,
    ...swapSummary(raw),
    floorVerified: summary(raw.floorVerified),
    vsFloorVerified: ratio(raw.ours, raw.floorVerified),
    // That floor against the plain one: what hashing beside the compile costs at best.
    floorVerifiedVsFloor: ratio(raw.floorVerified, raw.floor),
  };
}

/** A swap figure's samples summarised: the swap and its commit, each against the floor's. */
function swapSummary(raw) {
  return {
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
}

/** Figure 6 in a Playwright-driven Chromium of its own (its page is driven by clicks and reloads). */
async function demoFigure(n) {
  const browser = await launch();
  try {
    return await demoFigureIn(browser, n);
  } finally {
    await browser.close();
  }
}

async function demoFigureIn(browser, n) {
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
      const note = `bench note ${performance.now()}`;
      m.exports.add(note);
      const abs = (url) => new URL(url, document.baseURI).href;
      const { v2 } = manifest;
      const source = { url: abs(v2.url), digest: v2.digest, glue: { url: abs(v2.glue.url), digest: v2.glue.digest } };
      const t0 = performance.now();
      const report = await m.swap(source);
      const ms = performance.now() - t0;
      if (!m.exports.list().includes(note) || m.version !== v2.version) throw new Error("demo: notes or version not carried");
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
  async function build(name, dir) {
    const wasm = `${dir}/wasm_hotswap_bg.wasm`;
    // What a page loads: the entry's one bundle (scripts/build.sh), shim, glue and snippets.
    const js = [`${dir}/index.js`];
    let jsGz = 0;
    const jsDetail = {};
    for (const f of js) jsGz += jsDetail[f] = await gz(f);
    const wasmGz = await gz(wasm);
    const sections = wasmSections(await readFile(join(ROOT, wasm)));
    const custom = sections.filter((x) => x.id === 0);
    const withoutCustom = Buffer.concat([Buffer.from("\0asm\x01\0\0\0", "latin1"), ...sections.filter((x) => x.id !== 0).map((x) => x.bytes)]);
    return {
      build: name, wasm, wasmRaw: await size(wasm), wasmGz, js: jsDetail, jsGz, totalGz: wasmGz + jsGz,
      sections: sections.map(({ id, name, bytes }) => ({ id, name, raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length })),
      customSections: Object.fromEntries(custom.map((x) => [x.name, x.bytes.length])),
      wasmGzWithoutCustomSections: gzipSync(withoutCustom, { level: 9 }).length,
    };
  }
  const builds = [await build("default", "pkg")];
  // A WIT build, if one exists as a separate output directory (pkg-wit/ or pkg/wit/).
  for (const dir of ["pkg-wit", "pkg/wit"]) {
    if (await stat(join(ROOT, dir, "wasm_hotswap_bg.wasm")).catch(() => null)) builds.push(await build("wit", dir));
  }
  return { builds, witBuild: builds.length > 1 };
}

/** Chromium's renderer processes (descendants of this process): pid and resident bytes. */
function rendererProcesses() {
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
    return procs.filter((p) => mine.has(p.pid) && p.args.includes("--type=renderer")).map(({ pid, rss }) => ({ pid, rss }));
  } catch {
    return null;
  }
}

/** Resident memory of Chromium's renderer processes, in bytes. */
function rendererRss() {
  return rendererProcesses()?.reduce((n, p) => n + p.rss, 0) ?? null;
}

/** The resident bytes of the renderer `pid` (null once it is gone). */
function processRss(pid) {
  return rendererProcesses()?.find((p) => p.pid === pid)?.rss ?? null;
}

/** The renderer that grew most between two `rendererProcesses()` lists: the page's own. */
function grewMost(before, after) {
  const was = new Map((before ?? []).map((p) => [p.pid, p.rss]));
  return (after ?? []).reduce((best, p) => (best && best.growth >= p.rss - (was.get(p.pid) ?? 0) ? best : { pid: p.pid, growth: p.rss - (was.get(p.pid) ?? 0) }), null)?.pid ?? null;
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (x) => (x < 0.1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));
const spread = (s, unit = " ms") => `${ms(s.median)}${unit} [${ms(s.p25)}–${ms(s.p75)}]`;
// The headline ratio is the median of the per-repetition ratios (each pair ran back to back,
// which cancels most of the drift of a shared machine); the ratio of the medians follows.
const rx = (r) => `**${r.pairedMedian.toFixed(2)}×** [${r.p25.toFixed(2)}–${r.p75.toFixed(2)}] (${r.value.toFixed(2)}×)`;
// A verdict whose paired ratios spread wide (p75 / p25 > 1.5) is marked noisy: the machine's
// other load, not the code, decided it; run again before reading much into it.
const verdict = (value, goal, r) => (value <= goal ? "met" : "NOT met") + (r && r.p75 / r.p25 > 1.5 ? " (noisy)" : "");

for (const c of fig.swap ?? []) {
  rows.push(["1", `swap ${c.module} module, ${c.state} state`, spread(c.ours), spread(c.floor), rx(c.ratio), "≤ 1.15×", verdict(c.ratio.pairedMedian, 1.15, c.ratio)]);
}
for (const c of fig.swapEager ?? []) {
  rows.push(["1e", `swap ${c.module} module, ${c.state} state, lazy compilation off`, spread(c.ours), spread(c.floor), rx(c.ratio), "(≤ 1.15×)", verdict(c.ratio.pairedMedian, 1.15, c.ratio)]);
}
for (const c of fig.swap ?? []) {
  rows.push(["2", `commit ${c.module} module, ${c.state} state`, spread(c.commit), spread(c.floorCommit), rx(c.commitRatio), "≤ 1.2×", verdict(c.commitRatio.pairedMedian, 1.2, c.commitRatio)]);
}
for (const c of fig.stagedCommit ?? []) {
  rows.push(["11", `staged.commit() ${c.module} module, ${c.state} state (prepared ahead) vs new WebAssembly.Instance(precompiled) + save_state/copy/load_state`, spread(c.ours), spread(c.floor), rx(c.ratio), "≤ 1.2×", verdict(c.ratio.pairedMedian, 1.2, c.ratio)]);
}
for (const c of fig.stagedCommit ?? []) {
  rows.push(["11", `… its report.commit (commitStages: save + copy + load + rebind, inside the runtime), ${c.state} state, against the same floor`, spread(c.reportCommit), spread(c.floor), rx(c.reportCommitRatio), "(report)", "—"]);
}
for (const phase of fig.calls ? ["before", "after"] : []) {
  const c = fig.calls[phase];
  rows.push(["3", `call m.exports.add, ${phase} ${fig.calls.swaps} swaps (ns per call)`, spread(c.ours, " ns"), spread(c.raw, " ns"), rx(c.ratio), "≤ 1.15×", verdict(c.ratio.pairedMedian, 1.15, c.ratio)]);
}
for (const c of fig.load ?? []) {
  rows.push(["4", `load({ url, digest }) ${c.module} vs compileStreaming(fetch) + instantiate`, spread(c.ours), spread(c.raw), rx(c.vsRaw), "≤ 1.10×", verdict(c.vsRaw.pairedMedian, 1.1, c.vsRaw)]);
}
for (const c of fig.load ?? []) {
  rows.push(["5", `load({ url, digest }) ${c.module} vs Extism createPlugin({ wasm: [{ url, hash }] })`, spread(c.ours), spread(c.extism), rx(c.vsExtism), "faster (< 1×)", verdict(c.vsExtism.pairedMedian, 0.9999, c.vsExtism)]);
}
for (const c of fig.coldStart ?? []) {
  for (const v of c.visits) {
    const goal = v.visit === 1 && c.module === "1 MB" ? "≤ 1.3×" : "report";
    rows.push(["12", `cold start, ${c.module} module, ${v.name}: navigation → first export call returned; page with the shim + runtime (JS, wasm) + load({ url, digest }) vs page with instantiateStreaming(fetch(url))`, spread(v.ours), spread(v.floor), rx(v.ratio), goal, goal === "report" ? "—" : verdict(v.ratio.pairedMedian, 1.3, v.ratio)]);
  }
  for (const v of c.visits) {
    if (v.floorFile) rows.push(["12", `… the same app page against a floor page whose script is a module file of its own, as an app's bundle is (one request before a script runs on both sides), ${c.module} module, ${v.name}`, spread(v.ours), spread(v.floorFile), rx(v.vsFloorFile), "(report)", "—"]);
  }
  for (const v of c.visits) {
    if (v.preload) rows.push(["12", `… the same app page with preload hints for the runtime's files (modulepreload of its JS module, preload as=fetch of its wasm), ${c.module} module, ${v.name}, against the same floor`, spread(v.preload), spread(v.floor), rx(v.preloadRatio), "(report)", "—"]);
  }
}
if (fig.demo) {
  rows.push(["6", "demo v1 → v2: hot swap (state kept) vs page reload (state lost)", spread(fig.demo.swap), spread(fig.demo.reload), rx(fig.demo.ratio), "report", "—"]);
}
// Issue 14's budgets: the default build (wasm + JS, gzipped) and the WIT build.
const sizeGoal = (b) => (b.build === "wit" ? 300 : 80);
for (const b of fig.size?.builds ?? []) {
  rows.push(["7", `runtime size, ${b.build} build: wasm ${(b.wasmRaw / KB).toFixed(1)} KB raw / ${(b.wasmGz / KB).toFixed(1)} KB gz; JS glue + shim ${(b.jsGz / KB).toFixed(1)} KB gz`, `${(b.totalGz / KB).toFixed(1)} KB gz`, "—", "—", `≤ ${sizeGoal(b)} KB gz`, verdict(b.totalGz, sizeGoal(b) * KB)]);
}
for (const b of fig.size?.builds ?? []) {
  const names = Object.entries(b.customSections).map(([n, raw]) => `${n} ${(raw / KB).toFixed(1)} KB`).join(", ");
  if (names) rows.push(["7", `… of which custom sections (${names}); without them the wasm is ${(b.wasmGzWithoutCustomSections / KB).toFixed(1)} KB gz`, `${((b.wasmGzWithoutCustomSections + b.jsGz) / KB).toFixed(1)} KB gz`, "—", "—", `(≤ ${sizeGoal(b)} KB gz)`, verdict(b.wasmGzWithoutCustomSections + b.jsGz, sizeGoal(b) * KB)]);
}
if (fig.size && !fig.size.witBuild) rows.push(["7", "runtime size, WIT build: none exists as a separate build", "—", "—", "—", "—", "—"]);
if (fig.memory) {
  const m = fig.memory;
  // The serving version and the one `retain` (default 2) keeps for rollback(): what stays
  // alive by design, however many swaps ran.
  const kept = 2;
  const flat = m.end.live <= kept;
  rows.push(["8", `${m.swaps} swaps back and forth, 1 MB state: memories alive after GC ${m.start.registered - m.start.collected} → ${m.end.live} of ${m.end.registered} ever created; JS heap ${mb(m.start.usedJSHeapSize)} → ${mb(m.end.usedJSHeapSize)}; measureUserAgentSpecificMemory ${mb(m.start.measureUserAgentSpecificMemory)} → ${mb(m.end.measureUserAgentSpecificMemory)}; renderer RSS ${mb(m.start.rendererRss)} → ${mb(m.end.rendererRss)}`, `${m.end.live} alive`, `${kept} (the one serving, the one kept for rollback)`, "—", "flat", flat ? "met" : "NOT met"]);
}
if (fig.bindgenSwap) {
  const c = fig.bindgenSwap, what = `notes v1 → v2, ${(c.stateBytes / MB).toFixed(1)} MB of state`;
  rows.push(["9", `swap a wasm-bindgen guest (module + glue), ${what}`, spread(c.ours), spread(c.floor), rx(c.ratio), "≤ 1.2×", verdict(c.ratio.pairedMedian, 1.2, c.ratio)]);
  rows.push(["9b", `commit of that swap, ${what}`, spread(c.commit), spread(c.floorCommit), rx(c.commitRatio), "≤ 1.2×", verdict(c.commitRatio.pairedMedian, 1.2, c.commitRatio)]);
}
if (fig.componentSwap) {
  const c = fig.componentSwap, what = `counter 1.0.0 → 1.1.0, ${c.keys} keys (${(c.stateBytes / MB).toFixed(2)} MB of state)`;
  rows.push(["10", `swap a component (JS + 3 core modules, 13 WASI interfaces imported), ${what}, the registry's files in hand`, spread(c.ours), spread(c.floor), rx(c.ratio), "≤ 1.2×", verdict(c.ratio.pairedMedian, 1.2, c.ratio)]);
  rows.push(["10", `… the same swap with the index and blobs over loopback, against the floor fetching the index, JS and cores over loopback too (compileStreaming, no hash)`, spread(c.loopback), spread(c.floorLoopback), rx(c.loopbackRatio), "(report)", "—"]);
  rows.push(["10", `… the swap over loopback against the in-hand floor (what the network adds on top)`, spread(c.loopback), spread(c.floor), rx(c.loopbackVsFloor), "(report)", "—"]);
  rows.push(["10", `… the in-hand swap's commit (saveState → loadState) against the floor's`, spread(c.commit), spread(c.floorCommit), rx(c.commitRatio), "(report)", "—"]);
  const z = c.sizes, kb = (b) => `${(b / KB).toFixed(1)} KB`;
  rows.push(["10", `sizes gz: transpiled JS ${kb(z.glue.gz)} (${kb(z.glue.raw)} raw, ${z.glue.wasiInterfaces} WASI interfaces); core modules ${kb(z.coresGz)} (${kb(z.coresRaw)} raw); preview2-shim browser WASI bundled ${kb(z.wasiShim.gz)} (${kb(z.wasiShim.raw)} raw); the same world's JS without WASI ${kb(z.noWasiGlue.gz)} (${kb(z.noWasiGlue.raw)} raw); the component, which the runtime fetches too, ${kb(z.component.gz)} (${kb(z.component.raw)} raw)`, `${kb(z.glue.gz + z.coresGz + z.wasiShim.gz)} gz`, "—", "—", "report", "—"]);
}
if (fig.bindgenMemory) {
  const m = fig.bindgenMemory, a = m.end.alive;
  const peak = Math.max(...m.rss.map((x) => x.beforeGc ?? x.pageRss ?? 0));
  const afterGc = m.rss.slice(1).map((x) => (x.pageRss / MB).toFixed(0)).join(" / ");
  // Flat: one memory and one glue copy alive (the serving ones), and the page's renderer at the
  // end within one ballast of the start (each retained version would add a ballast).
  const flat = a.memory <= 1 && a.glue <= 1 && m.end.pageRss !== null && m.end.pageRss - m.start.pageRss < m.mb * MB;
  rows.push(["8b", `${m.swaps} swaps of a wasm-bindgen guest holding ${m.mb} MB: memories alive after GC ${a.memory}, glue copies alive ${a.glue}, of ${m.end.registered / 2} each ever created; the page's renderer RSS ${mb(m.start.pageRss)} → ${mb(m.end.pageRss)} (every ${m.swaps / (m.rss.length - 1)} swaps after GC: ${afterGc} MB; before GC up to ${mb(peak)}; all renderers ${mb(m.start.rendererRss)} → ${mb(m.end.rendererRss)}); JS heap ${mb(m.start.usedJSHeapSize)} → ${mb(m.end.usedJSHeapSize)}; measureUserAgentSpecificMemory ${mb(m.start.measureUserAgentSpecificMemory)} → ${mb(m.end.measureUserAgentSpecificMemory)}`, `${a.memory} + ${a.glue} alive`, "1 + 1 (the one serving)", "—", "flat", flat ? "met" : "NOT met"]);
  const c = m.control, grown = c.end.pageRss - c.start.pageRss;
  rows.push(["8b", `control: ${c.swaps} swaps with each glue imported as an ES module (wasm-bindgen#5339), no runtime: memories alive after GC ${c.alive.memory}, glue copies alive ${c.alive.glue}, of ${c.registered / 2}; the page's renderer RSS +${mb(grown)} (${(grown / c.swaps / MB).toFixed(1)} MB a swap)`, `${c.alive.memory} + ${c.alive.glue} alive`, "—", "—", "the proof sees a pinned version", c.alive.memory > c.swaps ? "yes" : "NO"]);
}

const header = ["#", "figure", "wasm-hotswap median [p25–p75]", "floor / peer median [p25–p75]", "ratio: paired median [p25–p75] (of medians)", "goal", ""];
const table = [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");

const stageRow = (c) => {
  const s = c.stages, k = c.commitStages;
  return `| ${c.module}, ${c.state} | ${ms(c.ours.median)} | ${ms(s.total)} | ${ms(s.fetchVerify)} | ${ms(s.inspect)} | ${ms(s.gate)} | ${ms(s.compile)} | ${ms(s.instantiate)} | ${ms(k.total)} (${ms(k.save)} / ${ms(k.copy)} / ${ms(k.load)} / ${ms(k.rebind)}) | ${ms(c.floorPrepare.median)} | ${ms(c.floorCommit.median)} | ${ms(c.floorVerified.median)} (${c.floorVerifiedVsFloor.pairedMedian.toFixed(2)}× the floor; the swap ${c.vsFloorVerified.pairedMedian.toFixed(2)}× it) |`;
};
const breakdown = fig.swap
  ? [
      "| module, state | swap, outside | report.total | fetchVerify | inspect | gate | compile | instantiate | commit (save / copy / load / rebind) | floor: compile + instantiate | floor: save + copy + load | floor + crypto.subtle digest beside its compile, not waited for before it (against the floor; the swap against it) |",
      "|---|---|---|---|---|---|---|---|---|---|---|---|",
      ...fig.swap.map(stageRow),
      ...(fig.swapEager ?? []).map((c) => stageRow({ ...c, state: `${c.state}, eager` })),
    ].join("\n")
  : "";

const cpu = cpus()[0]?.model ?? "unknown";
const loadEnd = loadavg();
results.machine = {
  cpu,
  cores: cpus().length,
  memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
  kernel: release(),
  node: process.version,
  chromium: results.browser?.version,
  loadAverage: { start: loadStart, end: loadEnd },
};
results.command = (ONLY ? `BENCH_ONLY=${[...ONLY].join(",")} ` : "") + "node bench/run.mjs" + (QUICK ? " --quick" : "");
results.quick = QUICK;
results.date = new Date().toISOString();
results.seconds = (Date.now() - started) / 1000;
results.table = table;
results.breakdown = breakdown;
await writeFile(join(ROOT, QUICK ? "bench/results.quick.json" : "bench/results.json"), JSON.stringify(results, null, 2) + "\n");
if (QUICK) {
  const missing = missingFigures(results, ONLY);
  if (missing.length) {
    console.error(`bench: --quick: figures not produced: ${missing.join(", ")}`);
    process.exitCode = 1;
  }
} else if (ONLY === null) {
  await appendHistory(ROOT, results);
}

const la = (l) => l.map((x) => x.toFixed(1)).join(" ");
console.log(`\nwasm-hotswap benchmark — ${results.date}`);
console.log(`machine: ${cpu}, ${results.machine.cores} cores, ${results.machine.memory}, Linux ${release()}; Chromium ${results.machine.chromium} headless; Node ${process.version}`);
console.log(`load average (1/5/15 min) at start ${la(loadStart)}, at end ${la(loadEnd)}`);
console.log(`command: ${results.command}; ${results.seconds.toFixed(0)} s; fresh bytes every repetition; ms unless named\n`);
console.log(table);
if (breakdown) {
  console.log("\nFigures 1 and 2 by stage (medians, ms; the report's stages and commitStages):\n");
  console.log(breakdown);
}
if (fig.stagedCommit) {
  console.log("\nFigure 11 by stage (medians, ms): staged.commit() timed outside, the report's commit and commitStages; the floor's two parts:\n");
  console.log("| module, state | commit(), outside | report.commit | save | copy | load | rebind | with a `swapped` listener: call → event / event → return (total) | floor: new Instance | floor: save + copy + load |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const c of fig.stagedCommit) {
    const k = c.commitStages, l = c.listened;
    console.log(`| ${c.module}, ${c.state} | ${ms(c.ours.median)} | ${ms(c.reportCommit.median)} | ${ms(k.save)} | ${ms(k.copy)} | ${ms(k.load)} | ${ms(k.rebind)} | ${ms(l.toSwapped)} / ${ms(l.afterSwapped)} (${ms(l.total)}) | ${ms(c.floorInstantiate.median)} | ${ms(c.floorMove.median)} |`);
  }
}
if (fig.coldStart) {
  console.log("\nFigure 12 by part (medians, ms from navigation start; the app page's parts from Resource Timing and the runtime's User Timing measures):\n");
  console.log("| module, visit | app: total | document in | → module body runs (shim + runtime JS) | → runtime wasm requested | runtime wasm fetch | runtime wasm compile + init (fetch end → resolve) | resolve | fetch + verify | inspect | gate | compile | instantiate | → export returned | floor: total | document in | → script runs | guest fetch | compile + instantiate + call after the fetch | from HTTP cache, app / floor | code cache js / wasm after, app (floor) |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  const kb = (b) => `${(b / KB).toFixed(0)} KB`;
  for (const c of fig.coldStart) {
    for (const v of c.visits) {
      const a = v.oursStages, f = v.floorStages, p = v.preloadStages;
      if (p) console.log(`| ${c.module}, ${v.visit}, preload hints | ${ms(p.total)} | ${ms(p.document)} | ${ms(p.runtimeJs)} | ${ms(p.toWasmRequest)} | ${ms(p.runtimeWasmFetch)} | ${ms(p.runtimeWasmCompile)} | ${ms(p.resolve)} | ${ms(p.fetchVerify)} | ${ms(p.inspect)} | ${ms(p.gate)} | ${ms(p.compile)} | ${ms(p.instantiate)} | ${ms(p.afterInstantiate)} | | | | | | | |`);
      console.log(`| ${c.module}, ${v.visit} | ${ms(a.total)} | ${ms(a.document)} | ${ms(a.runtimeJs)} | ${ms(a.toWasmRequest)} | ${ms(a.runtimeWasmFetch)} | ${ms(a.runtimeWasmCompile)} | ${ms(a.resolve)} | ${ms(a.fetchVerify)} | ${ms(a.inspect)} | ${ms(a.gate)} | ${ms(a.compile)} | ${ms(a.instantiate)} | ${ms(a.afterInstantiate)} | ${ms(f.total)} | ${ms(f.document)} | ${ms(f.toScript)} | ${ms(f.guestFetch)} | ${ms(f.afterFetch)} | ${v.oursFromCache.cached}/${v.oursFromCache.fetched} / ${v.floorFromCache.cached}/${v.floorFromCache.fetched} | ${kb(v.oursCodeCache.js)} / ${kb(v.oursCodeCache.wasm)} (${kb(v.floorCodeCache.js)} / ${kb(v.floorCodeCache.wasm)}) |`);
    }
  }
}
if (fig.coldStart?.some((c) => c.visits.some((v) => v.floorFileStages))) {
  console.log("\nFigure 12, the floor page with its script in a module file of its own (medians, ms from navigation start):\n");
  console.log("| module, visit | total | document in | → script runs | guest fetch | compile + instantiate + call after the fetch | the app page against it |");
  console.log("|---|---|---|---|---|---|---|");
  for (const c of fig.coldStart) {
    for (const v of c.visits) {
      const f = v.floorFileStages;
      if (f) console.log(`| ${c.module}, ${v.visit} | ${ms(f.total)} | ${ms(f.document)} | ${ms(f.toScript)} | ${ms(f.guestFetch)} | ${ms(f.afterFetch)} | ${rx(v.vsFloorFile)} |`);
    }
  }
}
if (fig.demo) {
  const r = (o) => Object.entries(o).map(([k, v]) => `${k} ${ms(v)}`).join(", ");
  console.log(`\nFigure 6: the swap's report: ${r(fig.demo.swapStages)}.`);
  console.log(`The reload, from navigation start: ${r(fig.demo.reloadBreakdown)} (ms = the demo ready).`);
}
if (fig.bindgenSwap) {
  const c = fig.bindgenSwap, r = (o) => Object.entries(o).map(([k, v]) => `${k} ${ms(v)}`).join(", ");
  console.log(`\nFigure 9: the swap's report: ${r(c.stages)}; commit: ${r(c.commitStages)}.`);
  console.log(`The floor: compile + glue import + initSync ${ms(c.floorPrepare.median)}, save_state + load_state ${ms(c.floorCommit.median)}.`);
}
if (fig.componentSwap) {
  const c = fig.componentSwap, r = (o) => Object.entries(o).map(([k, v]) => `${k} ${ms(v)}`).join(", ");
  console.log(`\nFigure 10: the swap's report, files in hand: ${r(c.stages)}; commit: ${r(c.commitStages)}.`);
  console.log(`Over loopback: ${r(c.loopbackStages)}; commit: ${r(c.loopbackCommitStages)}.`);
  console.log(`The floor: JS import + instantiate with compiled cores ${ms(c.floorPrepare.median)} (of which the import ${ms(c.floorImport.median)}), saveState + loadState ${ms(c.floorCommit.median)}.`);
  const z = c.sizes, kb = (b) => `${(b / KB).toFixed(1)} KB`;
  console.log(`Sizes (gzip -9): JS ${kb(z.glue.gz)}, cores ${z.cores.map((x) => `${x.name} ${kb(x.gz)}`).join(", ")}, WASI shim ${kb(z.wasiShim.gz)} (${z.wasiShim.command}); JS without WASI ${kb(z.noWasiGlue.gz)}: WASI imports add ${kb(z.glue.gz - z.noWasiGlue.gz)} gz to the JS.`);
}
console.log(`\nwrote bench/${QUICK ? "results.quick.json" : "results.json"}${!QUICK && ONLY === null ? " and a line of bench/history/runs.jsonl" : ""}`);

