// Figure 12's first visit for builds of the runtime side by side: for each DIR (a build of the
// runtime's browser entry: a folder holding its bundle `index.js` and `wasm_hotswap_bg.wasm`,
// such as a copy of pkg/ with one change; pkg/ itself when none is given), `REPS` cold first
// visits of the app page importing it, and as many of the floor page, each a Chromium of its own
// on an empty profile with no DevTools-protocol client (bench/driver.mjs), the pages' order
// rotating per repetition, one warm-up repetition dropped. Printed per build: the median time to
// the first export call, the median of each repetition's ratio to the floor's visit of the
// same repetition, and spans taken within each visit (from the inline module's body to the
// runtime's `resolve`, its fetch + verify and inspect stages, the guest's last byte to served).
//
// With MARKS=1 each build's index.js is served after a prelude that marks, with
// `performance.mark`, each call into the platform the runtime's load makes (`fetch`,
// `crypto.subtle.digest`, `WebAssembly.compile`, `instantiate`, `instantiateStreaming`,
// `new WebAssembly.Instance`, a stream reader's `read`): when each is called, returns and
// settles. Their medians are printed on one timeline, in ms from the start of the fetch + verify
// stage, with the stages' ends, the guest's last byte and the first export call returning: where
// the time between the guest's last byte and serving goes (the prelude itself costs a few
// microseconds a call). Not part of `npm run bench`: ratios of a few fresh browsers move ±0.1×
// between runs, so compare builds within one run.
//
//   REPS=14 node bench/probe-variants.mjs [DIR...]      MARKS=1 node bench/probe-variants.mjs
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { coldPageUrl } from "./cold.mjs";
import { detachedPage } from "./driver.mjs";
import { startServer } from "./server.mjs";
import { ratio, summary } from "./stats.mjs";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const CODE = 1 << 20;
const REPS = Number(process.env.REPS ?? 12);
const dirs = process.argv.length > 2 ? process.argv.slice(2).map((d) => resolve(d)) : [join(ROOT, "pkg")];

// Wraps `owner[key]` so that its calls are marked `<name><n>:call`, `:ret` and, for a promise,
// `:done` or `:fail` (n counts the calls of each name in the page).
const PRELUDE = `{const mark=(n)=>performance.mark(n);const wrap=(owner,key,name)=>{const f=owner?.[key];if(typeof f!=="function")return;let n=0;owner[key]=function(...a){const i=n++;mark(name+i+":call");const r=new.target?Reflect.construct(f,a,new.target):f.apply(this,a);mark(name+i+":ret");if(r&&typeof r.then==="function")r.then(()=>mark(name+i+":done"),()=>mark(name+i+":fail"));return r;};owner[key].prototype=f.prototype;};
wrap(globalThis,"fetch","fetch");wrap(globalThis.crypto?.subtle,"digest","digest");wrap(WebAssembly,"compile","compile");wrap(WebAssembly,"instantiate","instantiate");wrap(WebAssembly,"instantiateStreaming","instantiateStreaming");wrap(WebAssembly,"Instance","Instance");wrap(globalThis.ReadableStreamDefaultReader?.prototype,"read","read");}\n`;

const median = (a) => summary(a.filter((v) => Number.isFinite(v))).median;
const ms = (t) => t.toFixed(2).padStart(7);

/** What the page measured, read once it served. */
function collect() {
  const guest = performance.getEntriesByType("resource").find((e) => new URL(e.name).pathname.startsWith("/cold/guest/"));
  const stages = Object.fromEntries(performance.getEntriesByType("measure").filter((m) => m.name.startsWith("wasm-hotswap ")).map((m) => [m.name.slice(13), { start: m.startTime, end: m.startTime + m.duration }]));
  const marks = Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime]));
  return { ...window.__cold, guestEnd: guest?.responseEnd, stages, marks };
}

const server = await startServer({ variants: dirs.map((dir) => ({ dir, prelude: process.env.MARKS === "1" ? PRELUDE : "" })) });
const sides = ["floor", ...dirs.map((_, i) => i)];
const got = new Map(sides.map((s) => [s, []]));
let visits = 0;
try {
  for (let rep = 0; rep <= REPS; rep++) {
    const row = new Map();
    for (const side of sides.map((_, i) => sides[(i + rep) % sides.length])) {
      let url = await coldPageUrl(server.url, side === "floor" ? "floor" : "ours", CODE, `variants-${process.pid}-${++visits}`);
      if (side !== "floor") url += `&variant=${side}`;
      const profile = await mkdtemp(join(tmpdir(), "bench12-"));
      const errors = [];
      const page = await detachedPage(server, url, { id: `variants-${process.pid}-${visits}`, profile, log: (text) => errors.push(text) });
      let visit;
      try {
        visit = await page.evaluate(collect);
      } finally {
        await page.close();
        await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      }
      if (errors.length || visit.error) throw new Error(`cold page (${side === "floor" ? "floor" : dirs[side]}): ${visit.error ?? errors.join("; ")}`);
      if (visit.sum !== 5) throw new Error("cold page: add(2, 3) !== 5");
      row.set(side, visit);
    }
    if (rep === 0) continue; // the warm-up
    for (const [side, visit] of row) got.get(side).push(visit); // index `rep - 1` on every side
  }
} finally {
  await server.close();
}

const floor = got.get("floor");
console.log(`floor page, first visit: ${median(floor.map((v) => v.served)).toFixed(1)} ms to the first export call (median of ${floor.length})`);
for (const [i, dir] of dirs.entries()) {
  const vs = got.get(i);
  const span = (f) => ms(median(vs.map(f)));
  const paired = ratio(vs.map((v) => v.served), floor.map((v) => v.served)).pairedMedian;
  console.log(`\n${dir}: ${median(vs.map((v) => v.served)).toFixed(1)} ms, ${paired.toFixed(3)}× the floor (median of the repetitions' ratios)`);
  console.log(`${span((v) => v.stages.resolve?.start - v.imported)}  inline module body runs → stage resolve`);
  console.log(`${span((v) => v.stages["fetch + verify"]?.end - v.stages["fetch + verify"]?.start)}  stage fetch + verify`);
  console.log(`${span((v) => v.stages.inspect?.end - v.stages.inspect?.start)}  stage inspect`);
  console.log(`${span((v) => v.served - v.guestEnd)}  guest's last byte → first export call returned`);
  if (process.env.MARKS !== "1") continue;
  // One timeline: each mark's median, from the start of fetch + verify in its own visit.
  const from = (v) => v.stages["fetch + verify"]?.start;
  const names = new Set(vs.flatMap((v) => Object.keys(v.marks)));
  const line = [...names].map((name) => [name, median(vs.map((v) => v.marks[name] - from(v)))]);
  for (const stage of ["resolve", "fetch + verify", "inspect", "gate", "compile", "instantiate"]) line.push([`(stage ${stage} ends)`, median(vs.map((v) => v.stages[stage]?.end - from(v)))]);
  line.push(["(the guest's last byte)", median(vs.map((v) => v.guestEnd - from(v)))], ["(first export call returned)", median(vs.map((v) => v.served - from(v)))]);
  console.log("marks, medians in ms from the start of stage fetch + verify:");
  for (const [name, t] of line.filter(([, t]) => Number.isFinite(t)).sort((a, b) => a[1] - b[1])) console.log(`${ms(t)}  ${name}`);
}
