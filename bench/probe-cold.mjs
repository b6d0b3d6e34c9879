// Figure 12's first visit, taken apart: `REPS` cold visits (a fresh browser and profile each,
// as the figure's) of the app page and of the floor page with a 1 MB guest, and the median
// time, from navigation start, of each resource's request, first byte and last byte (Resource
// Timing) and of each of the runtime's stages (its User Timing measures), and the median of
// spans taken within each visit. With `TRACE=1`, one
// more cold visit of each page under a Chromium trace, and the renderer main thread's tasks
// from navigation to the first export call returning, longest children named: what that thread
// was doing while the load waited (the trace's own overhead makes these visits 20-40 % slower).
// Not part of `npm run bench`; medians of a few fresh browsers vary ±10 % between runs.
//
//   node bench/probe-cold.mjs            REPS=10 TRACE=1 node bench/probe-cold.mjs
import { coldFigure, coldPageUrl, inFreshBrowser, untilServed } from "./cold.mjs";
import { startServer } from "./server.mjs";

const CODE = 1 << 20;
const server = await startServer();
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ms = (t) => t.toFixed(1).padStart(6);

try {
  const [cell] = await coldFigure({ server, sizes: [["1 MB", CODE]], reps: Number(process.env.REPS ?? 6), stay: 300, preload: false, log: console.error });
  for (const side of ["ours", "floor"]) {
    const visits = cell[side].map((r) => r[0]);
    const at = new Map(), spans = new Map();
    const put = (k, t, into = at) => into.set(k, [...(into.get(k) ?? []), t]);
    for (const v of visits) {
      put("document in", v.nav.responseEnd);
      put("inline module body runs", v.imported);
      for (const r of v.resources) {
        const name = r.path.startsWith("/cold/guest/") ? "guest" : r.path.split("/").pop();
        put(`${name}: requested`, r.start);
        put(`${name}: first byte`, r.responseStart);
        put(`${name}: last byte`, r.end);
      }
      for (const m of v.measures) put(`stage ${m.name}: from`, m.start), put(`stage ${m.name}: to`, m.end);
      put("first export call returned", v.served);
      // Spans taken per visit, then their median: steadier than a difference of two medians,
      // since fresh browsers shift a whole visit by ±10 ms.
      const stage = (name) => v.measures.find((m) => m.name === name);
      const guest = v.resources.find((r) => r.path.startsWith("/cold/guest/"))?.end;
      const span = (k, from, to) => from !== undefined && to !== undefined && put(k, to - from, spans);
      span("guest's last byte → first export call returned", guest, v.served);
      span("inline module body runs → stage resolve", v.imported, stage("resolve")?.start);
      for (const name of ["fetch + verify", "inspect"]) span(`stage ${name}`, stage(name)?.start, stage(name)?.end);
      span("stage gate → first export call returned", stage("gate")?.start, v.served);
    }
    console.log(`\n${side === "ours" ? "app page" : "floor page"}, first visit, medians of ${visits.length} (ms from navigation start):`);
    for (const [k, ts] of [...at].sort((a, b) => median(a[1]) - median(b[1]))) console.log(`${ms(median(ts))}  ${k}`);
    if (spans.size) console.log("spans within each visit, medians (ms):");
    for (const [k, ds] of spans) console.log(`${ms(median(ds))}  ${k}`);
  }
  if (process.env.TRACE === "1") {
    for (const side of ["ours", "floor"]) await traced(side);
  }
} finally {
  await server.close();
}

/** One traced cold visit of `side`'s page: the renderer main thread's tasks over 0.3 ms. */
async function traced(side) {
  const page = await coldPageUrl(server.url, side, CODE, `trace-${side}-${Date.now()}`);
  const events = [];
  const served = await inFreshBrowser(async (context) => {
    const tab = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(tab);
    cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
    const complete = new Promise((ok) => cdp.once("Tracing.tracingComplete", ok));
    const categories = ["devtools.timeline", "v8", "v8.wasm", "blink", "loading", "toplevel", "navigation", "blink.user_timing"];
    await cdp.send("Tracing.start", { traceConfig: { includedCategories: categories }, transferMode: "ReportEvents" });
    const said = untilServed(tab);
    await tab.goto(page);
    await said;
    const at = await tab.evaluate(() => window.__cold.served);
    await cdp.send("Tracing.end");
    await complete;
    return at;
  });
  const threads = new Map(events.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => [`${e.pid}/${e.tid}`, e.args.name]));
  const start = Math.min(...events.filter((e) => e.name === "navigationStart").map((e) => e.ts));
  const counts = new Map();
  for (const e of events) if (threads.get(`${e.pid}/${e.tid}`) === "CrRendererMain") counts.set(`${e.pid}/${e.tid}`, (counts.get(`${e.pid}/${e.tid}`) ?? 0) + 1);
  const main = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const spans = events.filter((e) => `${e.pid}/${e.tid}` === main && e.ph === "X" && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  console.log(`\n${side === "ours" ? "app page" : "floor page"}, traced first visit (served at ${ms(served)} ms): renderer main thread tasks over 0.3 ms`);
  let end = -Infinity;
  for (const task of spans) {
    if (task.ts < end) continue; // inside the previous top-level task
    end = task.ts + task.dur;
    const from = (task.ts - start) / 1000;
    if (task.dur < 300 || from < 0 || from > served) continue;
    const inside = new Map();
    for (const e of spans) {
      if (e === task || e.ts < task.ts || e.ts + e.dur > end || /RunTask/.test(e.name)) continue;
      inside.set(e.name, (inside.get(e.name) ?? 0) + e.dur);
    }
    const named = [...inside].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([n, d]) => `${n} ${(d / 1000).toFixed(1)}`).join(", ");
    console.log(`${ms(from)} +${ms(task.dur / 1000)}  ${named}`);
  }
}
