// Figure 12, the cold start: from navigation to the first export call returning, in a page
// that loads the runtime itself (/cold/app.html: the shim, the runtime's JS and wasm, then
// HotModule.load({ url, digest }) of a guest) against the same kind of page doing
// WebAssembly.instantiateStreaming(fetch(url)) of a guest (/cold/floor.html). Both pages are
// made by bench/server.mjs, which serves them and their assets as a CDN would (see there).
//
// Every repetition of each side has a new, empty profile (a temporary user-data-dir): an empty
// HTTP cache on disk and an empty code cache (V8's, which Chromium keeps in the profile's
// `Code Cache/js` and `Code Cache/wasm`; an off-the-record profile has none at all). Each visit
// is a Chromium of its own on that profile with no DevTools-protocol client attached
// (bench/driver.mjs; a page with one times differently). Visit 1 is the first visit (cold).
// The page then stays open STAY ms, as a user's would, and its browser is ended, writing its
// caches; a new browser on the same profile (a new renderer process, so nothing of V8's
// in-process caches survives) opens the same URL: visit 2, the second visit (warm), and after
// another STAY, visit 3 (Chromium makes a script's code cache on its second load and uses it
// from the third). The guest, dist/ and pkg/ are fetched again from the same URLs, the same
// bytes. Each guest is fresh bytes too (its own `bench-seed`), as in figures 4/5.
// (`inFreshBrowser` and `untilServed` are for probe-cold.mjs's traced visits, which need
// Playwright's protocol.)
import { chromium } from "playwright-core";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM, CHROMIUM_ARGS } from "../scripts/chromium.mjs";
import { COLD_SERVED } from "./server.mjs";
import { detachedPage } from "./driver.mjs";

const STAY = 1000; // ms on each page after it served, for Chromium to write its caches to disk (the default of `stay`)
const VISITS = 3;
let sides = 0; // the sides visited so far, for each its own page id
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Bytes and files under `dir` (0 when it does not exist). */
async function du(dir) {
  let bytes = 0, files = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    bytes += (await stat(join(e.parentPath ?? e.path, e.name)).catch(() => ({ size: 0 }))).size;
    files++;
  }
  return { bytes, files };
}

/** Resolves when the cold page in `page` says it served (bench/server.mjs); rejects after 30 s. */
export function untilServed(page) {
  return page.waitForEvent("console", { predicate: (m) => m.text() === COLD_SERVED, timeout: 30000 });
}

/** What a page measured, read once it served. */
function collect() {
  const r = window.__cold;
  const nav = performance.getEntriesByType("navigation")[0];
  const path = (u) => new URL(u).pathname;
  return {
    ...r,
    nav: { responseStart: nav.responseStart, responseEnd: nav.responseEnd, transferSize: nav.transferSize, status: nav.responseStatus ?? null },
    // Not bench/driver.mjs's own requests, made once the page served.
    resources: performance.getEntriesByType("resource").filter((e) => !/^\/(driver\/|bench\/driven\.mjs)/.test(path(e.name))).map((e) => ({
      path: path(e.name),
      initiator: e.initiatorType,
      start: e.startTime,
      responseStart: e.responseStart,
      end: e.responseEnd,
      transferSize: e.transferSize,
      bodySize: e.encodedBodySize,
    })),
    measures: performance.getEntriesByType("measure")
      .filter((m) => m.name.startsWith("wasm-hotswap"))
      .map((m) => ({ name: m.name.slice("wasm-hotswap ".length), start: m.startTime, end: m.startTime + m.duration })),
  };
}

/**
 * `body(context, dir)`'s result, `context` a Chromium of its own on a new, empty profile in
 * `dir`, started and settled; both gone afterwards.
 */
export async function inFreshBrowser(body) {
  const dir = await mkdtemp(join(tmpdir(), "bench12-"));
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    await sleep(300); // let the new browser's start-up work settle
    return await body(context, dir);
  } finally {
    await context.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The URL of `side`'s page (ours, preload: the app page; floor, floorFile: the floor's) with a
 * fresh `codeBytes` guest of its own, made by the server at `serverUrl` (`seed` its bytes').
 */
export async function coldPageUrl(serverUrl, side, codeBytes, seed) {
  const res = await fetch(`${serverUrl}cold/make?code=${codeBytes}&seed=${seed}`, { method: "POST" });
  const { url, digest } = await res.json();
  const guest = `guest=${encodeURIComponent(url)}`;
  return side === "floor" || side === "floorFile"
    ? `${serverUrl}cold/floor.html?${guest}${side === "floorFile" ? "&script=file" : ""}`
    : `${serverUrl}cold/app.html?${guest}&digest=${encodeURIComponent(digest)}${side === "preload" ? "&preload=1" : ""}`;
}

/**
 * One side of one repetition: VISITS visits of `url` on one new, empty profile, each in a
 * Chromium of its own with no DevTools-protocol client (bench/driver.mjs), ended after `stay` ms
 * so that it writes its caches to the profile as it exits.
 */
async function visitAll(server, url, stay = STAY) {
  const profile = await mkdtemp(join(tmpdir(), "bench12-"));
  const id = `cold-${process.pid}-${++sides}`;
  try {
    const visits = [];
    for (let v = 0; v < VISITS; v++) {
      const errors = [];
      // Answers once the page served (it then asks for the runner's calls).
      const page = await detachedPage(server, url, { id, profile, log: (text) => errors.push(text) });
      let got;
      try {
        got = await page.evaluate(collect);
        await sleep(stay);
      } finally {
        await page.close();
      }
      if (errors.length) throw new Error(`cold page: ${errors.join("; ")}`);
      if (got.error) throw new Error(`cold page: ${got.error}`);
      if (got.sum !== 5) throw new Error("cold page: add(2, 3) !== 5");
      got.codeCache = { js: await du(join(profile, "Default", "Code Cache", "js")), wasm: await du(join(profile, "Default", "Code Cache", "wasm")) };
      visits.push(got);
    }
    return visits;
  } finally {
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

/** The app page's time split in parts, from its Resource and User Timing entries (ms). */
export function appBreakdown(v) {
  const at = (p) => v.resources.find((r) => r.path.endsWith(p));
  const wasm = at("/pkg/wasm_hotswap_bg.wasm");
  const m = Object.fromEntries(v.measures.map((x) => [x.name, x]));
  const js = v.resources.filter((r) => r.path.startsWith("/cold/dist/") || (r.path.startsWith("/cold/pkg/") && r.path.endsWith(".js")));
  const resolve = m.resolve?.start ?? NaN;
  return {
    // Navigation start to the page's bytes in.
    document: v.nav.responseEnd,
    // The page's bytes in to the inline module's body running: the shim's and the runtime's
    // JS fetched (the last of them in at jsFetched), parsed and evaluated.
    runtimeJs: v.imported - v.nav.responseEnd,
    jsFetchedAt: Math.max(...js.map((r) => r.end)),
    // The module's body running to the runtime's wasm requested: HotModule.load → initRuntime
    // (negative when a preload hint requested it before).
    toWasmRequest: wasm.start - v.imported,
    runtimeWasmFetch: wasm.end - wasm.start,
    // Requests of the runtime's wasm (1 unless a preload went unused and it was fetched again).
    wasmRequests: v.resources.filter((r) => r.path.endsWith("/pkg/wasm_hotswap_bg.wasm")).length,
    // The runtime's wasm in (and the module's body running) to the guest's pipeline starting
    // (its `resolve` measure): the runtime's compile and instantiate (streaming compile overlaps
    // the fetch; this is what is left after it).
    runtimeWasmCompile: resolve - Math.max(wasm.end, v.imported),
    resolve: m.resolve ? m.resolve.end - m.resolve.start : NaN,
    fetchVerify: m["fetch + verify"] ? m["fetch + verify"].end - m["fetch + verify"].start : NaN,
    inspect: m.inspect ? m.inspect.end - m.inspect.start : NaN,
    gate: m.gate ? m.gate.end - m.gate.start : NaN,
    compile: m.compile ? m.compile.end - m.compile.start : NaN,
    instantiate: m.instantiate ? m.instantiate.end - m.instantiate.start : NaN,
    // The guest instantiated to the first export call returning (commit, report, load's return).
    afterInstantiate: v.served - (m.instantiate?.end ?? NaN),
    total: v.served,
  };
}

/** The floor page's time split the same way. */
export function floorBreakdown(v) {
  const guest = v.resources.find((r) => r.path.startsWith("/cold/guest/"));
  return {
    document: v.nav.responseEnd,
    toScript: v.imported - v.nav.responseEnd,
    guestFetch: guest.end - guest.start,
    afterFetch: v.served - guest.end,
    total: v.served,
  };
}

/** Resources of a visit that came from the HTTP cache without a request (transferSize 0). */
const fromCache = (v) => v.resources.filter((r) => r.transferSize === 0 && r.bodySize > 0).map((r) => r.path);

/**
 * Figure 12. For each module size, `reps` repetitions (plus one warm-up), each running the app
 * page, the floor page and, with `preload`, for information, the app page with preload hints
 * and the floor page with its script in a file of its own (`floorFile`), in a fresh browser
 * each, rotating which goes first. Returns raw samples: for each size,
 * `{ ours, floor, preload, floorFile }`, each an array (per repetition) of its visits.
 */
export async function coldFigure({ server, sizes, reps, stay = STAY, preload = true, log }) {
  const out = [];
  for (const [name, codeBytes] of sizes) {
    const names = preload ? ["ours", "floor", "preload", "floorFile"] : ["ours", "floor"];
    log(`12 cold start: module ${name} (${reps} reps, a fresh browser for each of the ${names.length} pages of each, ${VISITS} visits)`);
    const cell = { module: name, codeBytes, ours: [], preload: [], floor: [], floorFile: [] };
    for (let r = reps > 1 ? -1 : 0; r < reps; r++) {
      // Rotate the order so that no side always goes first.
      const k = ((r % names.length) + names.length) % names.length;
      for (const side of [...names.slice(k), ...names.slice(0, k)]) {
        const page = await coldPageUrl(server.url, side, codeBytes, `${side}-${r}-${Date.now()}`);
        const visits = await visitAll(server, page, stay);
        for (const v of visits) v.fromCache = fromCache(v);
        if (r >= 0) cell[side].push(visits);
      }
    }
    out.push(cell);
  }
  return out;
}
