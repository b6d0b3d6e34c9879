// The figures measured in the page. Each returns raw samples (ms unless named otherwise); the
// runner (run.mjs) turns them into medians, spreads and ratios. Floors and wasm-hotswap run in
// the same page, interleaved (the order alternates per repetition), on fresh bytes each time.
import { HotModule, initRuntime } from "../dist/index.js";
import createPlugin from "../node_modules/@extism/extism/dist/browser/mod.js";
import { makeGuest, withSeed, STATE_BASE } from "./guest.mjs";

const now = () => performance.now();
const run = Math.random().toString(36).slice(2, 8);
let seeds = 0;
const fresh = (base) => withSeed(base, `${run}-${++seeds}`);
const hex = async (bytes) =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
const digestOf = async (bytes) => "sha256:" + (await hex(bytes));
const tick = () => new Promise((ok) => setTimeout(ok, 0));

/** Full collection outside the timed regions, so no repetition pays for the previous one. */
export async function gc() {
  for (let i = 0; i < 2; i++) {
    globalThis.gc();
    await tick();
  }
}

const bases = new Map();
function base(codeBytes, stateBytes) {
  const key = `${codeBytes}/${stateBytes}`;
  if (!bases.has(key)) bases.set(key, makeGuest({ codeBytes, stateBytes }));
  return bases.get(key);
}

function fillState(exports, len, value) {
  new Uint8Array(exports.memory.buffer, STATE_BASE, len).fill(value);
  exports.set_len(len);
}

function checkState(exports, len, value, who) {
  const got = exports.get_len();
  const last = len === 0 ? value : new Uint8Array(exports.memory.buffer)[STATE_BASE + len - 1];
  const first = len === 0 ? value : new Uint8Array(exports.memory.buffer)[STATE_BASE];
  if (got !== len || last !== value || first !== value) {
    throw new Error(`${who}: state not carried (len ${got} of ${len}, bytes ${first}/${last} of ${value})`);
  }
}

export async function init() {
  const t0 = now();
  await initRuntime();
  // Timer resolution: the smallest non-zero step of performance.now().
  let step = Infinity;
  for (let i = 0; i < 2000; i++) {
    const a = now();
    let b = now();
    while (b === a) b = now();
    step = Math.min(step, b - a);
  }
  return {
    crossOriginIsolated,
    timerStepUs: step * 1000,
    runtimeInitMs: now() - t0,
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
  };
}

/**
 * `m.swap(source)`, timed from the call to the new version serving; `check()` then holds the
 * state to what was put in. Its time, commit and stages go into `out` (unless it is false),
 * and `m` is freed.
 */
export async function timeSwap(m, source, out, check) {
  const t0 = now();
  const report = await m.swap(source);
  const t1 = now();
  check();
  if (m.digest !== source.digest) throw new Error("wasm-hotswap: not serving the new digest");
  if (out) {
    out.ours.push(t1 - t0);
    out.commit.push(report.commit);
    out.stages.push({ ...report.stages, total: report.total });
    out.commitStages.push({ ...report.commitStages });
  }
  m.free();
}

// Figures 1 and 2. Floor: compile + instantiate the new module, then the guest's own
// save_state, a copy into the new memory and load_state. Ours: m.swap({ bytes, digest }).
export async function swapFigure({ codeBytes, stateBytes, reps, warmup = 2 }) {
  const b = base(codeBytes, stateBytes);
  const out = { floor: [], floorPrepare: [], floorMove: [], floorVerified: [], ours: [], commit: [], stages: [], commitStages: [] };

  // `verify`: the floor plus a SHA-256 by crypto.subtle.digest running while the module compiles,
  // checked before instantiating (what hashing can cost at best with the whole buffer in hand).
  async function floor(keep, verify = false) {
    const a = fresh(b), next = fresh(b), value = (seeds % 250) + 1;
    const expected = verify ? await hex(next) : null;
    const { instance: old } = await WebAssembly.instantiate(a, {});
    fillState(old.exports, stateBytes, value);
    await gc();
    const t0 = now();
    const compiling = WebAssembly.compile(next);
    if (verify) {
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", next));
      let got = "";
      for (const byte of digest) got += byte.toString(16).padStart(2, "0");
      if (got !== expected) throw new Error("floor: digest mismatch");
    }
    const module = await compiling;
    const { exports: n } = await WebAssembly.instantiate(module, {});
    const t1 = now();
    const o = old.exports;
    const header = o.save_state();
    const view = new DataView(o.memory.buffer);
    const ptr = view.getUint32(header, true), len = view.getUint32(header + 4, true);
    const target = n.alloc_state(len);
    new Uint8Array(n.memory.buffer).set(new Uint8Array(o.memory.buffer, ptr, len), target);
    if (n.load_state(target, len) !== 0) throw new Error("floor: load_state refused");
    const t2 = now();
    checkState(n, stateBytes, value, "floor");
    if (keep && verify) out.floorVerified.push(t2 - t0);
    if (keep && !verify) {
      out.floor.push(t2 - t0);
      out.floorPrepare.push(t1 - t0);
      out.floorMove.push(t2 - t1);
    }
  }

  async function ours(keep) {
    const a = fresh(b), next = fresh(b), value = (seeds % 250) + 1;
    const [da, dn] = await Promise.all([digestOf(a), digestOf(next)]);
    const m = await HotModule.load({ bytes: a, digest: da });
    fillState(m.exports, stateBytes, value);
    await gc();
    await timeSwap(m, { bytes: next, digest: dn }, keep && out, () => checkState(m.exports, stateBytes, value, "wasm-hotswap"));
  }

  const verified = (keep) => floor(keep, true);
  for (let r = -warmup; r < reps; r++) {
    const order = [floor, ours, verified];
    const k = ((r % 3) + 3) % 3;
    for (const f of [...order.slice(k), ...order.slice(0, k)]) await f(r >= 0);
  }
  await gc();
  return out;
}

// Figure 3: ns per call of a trivial export, held raw vs m.exports.add, before and after swaps.
export async function callFigure({ calls, samples, swaps = 3 }) {
  const b = base(10 << 10, 0);
  // Separate functions (separate feedback) for each contender.
  const loopRaw = new Function("f", "n", "'raw'; let s = 0; for (let i = 0; i < n; i++) s = f(s, i); return s;");
  const loopOurs = new Function("f", "n", "'ours'; let s = 0; for (let i = 0; i < n; i++) s = f(s, i); return s;");
  let held = (await WebAssembly.instantiate(fresh(b), {})).instance.exports.add;
  const first = fresh(b);
  const m = await HotModule.load({ bytes: first, digest: await digestOf(first) });
  const add = m.exports.add;
  let expected = 0; // what both loops must return (computed here, not through their feedback)
  for (let i = 0; i < calls; i++) expected = (expected + i) | 0;

  function measure() {
    const raw = [], ours = [];
    for (let i = -5; i < samples; i++) {
      const pair = i % 2 === 0
        ? [["raw", loopRaw, held], ["ours", loopOurs, add]]
        : [["ours", loopOurs, add], ["raw", loopRaw, held]];
      for (const [who, loop, f] of pair) {
        const t0 = now();
        const s = loop(f, calls);
        const ns = ((now() - t0) * 1e6) / calls;
        if (s !== expected) throw new Error(`${who}: wrong sum`);
        if (i >= 0) (who === "raw" ? raw : ours).push(ns);
      }
    }
    return { raw, ours };
  }

  const before = measure();
  for (let k = 0; k < swaps; k++) {
    held = (await WebAssembly.instantiate(fresh(b), {})).instance.exports.add;
    const next = fresh(b);
    await m.swap({ bytes: next, digest: await digestOf(next) });
    loopRaw(held, 1000);
    loopOurs(add, 1000);
  }
  const after = measure();
  m.free();
  await gc();
  return { before, after, calls, swaps };
}

// Figures 4 and 5: loading over loopback. Raw compileStreaming(fetch) + instantiate with no hash,
// HotModule.load({ url, digest }), and Extism's createPlugin({ wasm: [{ url, hash }] }).
export async function loadFigure({ codeBytes, reps, warmup = 2 }) {
  const out = { raw: [], ours: [], extism: [] };
  const silent = { log() {}, info() {}, debug() {}, warn() {}, error() {}, trace() {} };

  // The server makes each module (the same generator, a seed of ours): quicker than sending
  // megabytes up from the page.
  async function make() {
    const res = await fetch(`/make?code=${codeBytes}&state=0&seed=${run}-${++seeds}`, { method: "POST" });
    if (!res.ok) throw new Error(`make: HTTP ${res.status}`);
    const { url, hash } = await res.json();
    return { url: new URL(url, location.href).href, hash };
  }

  const contenders = {
    async raw({ url }) {
      const t0 = now();
      const module = await WebAssembly.compileStreaming(fetch(url));
      const { exports } = await WebAssembly.instantiate(module, {});
      const t1 = now();
      if (exports.add(2, 3) !== 5) throw new Error("raw: add");
      return t1 - t0;
    },
    async ours({ url, hash }) {
      const t0 = now();
      const m = await HotModule.load({ url, digest: "sha256:" + hash });
      const t1 = now();
      if (m.exports.add(2, 3) !== 5) throw new Error("wasm-hotswap: add");
      m.free();
      return t1 - t0;
    },
    async extism({ url, hash }) {
      const t0 = now();
      const plugin = await createPlugin(
        { wasm: [{ url, hash, name: "main" }] },
        { useWasi: false, runInWorker: false, logger: silent },
      );
      const t1 = now();
      const instance = await plugin.getInstance("main");
      if (instance.exports.add(2, 3) !== 5) throw new Error("extism: add");
      await plugin.close();
      return t1 - t0;
    },
  };
  const names = Object.keys(contenders);

  for (let r = -warmup; r < reps; r++) {
    const jobs = [];
    for (const name of names) jobs.push({ name, ...(await make()) });
    await gc();
    // Rotate the order so that no contender always goes first.
    const k = ((r % names.length) + names.length) % names.length;
    for (const job of [...jobs.slice(k), ...jobs.slice(0, k)]) {
      const ms = await contenders[job.name](job);
      if (r >= 0) out[job.name].push(ms);
      await gc();
    }
    await Promise.all(jobs.map((job) => fetch(job.url, { method: "DELETE" })));
  }
  return out;
}

// Figure 8: 1,000 swaps back and forth between two modules with 1 MB of state. Every memory
// that ever served is registered in a FinalizationRegistry; after a full GC, all but the one
// serving must have been collected.
let leak = null;

export async function memorySnapshot() {
  await gc();
  let uaBytes = null;
  if (typeof performance.measureUserAgentSpecificMemory === "function") {
    const timeout = new Promise((ok) => setTimeout(() => ok(null), 30000));
    const result = await Promise.race([performance.measureUserAgentSpecificMemory(), timeout]);
    uaBytes = result?.bytes ?? null;
  }
  return { usedJSHeapSize: performance.memory?.usedJSHeapSize ?? null, measureUserAgentSpecificMemory: uaBytes };
}

export async function leakStart({ stateBytes = 1 << 20 } = {}) {
  const b = base(10 << 10, stateBytes);
  const a = withSeed(b, `${run}-leak-A`), z = withSeed(b, `${run}-leak-B`);
  const sources = [{ bytes: z, digest: await digestOf(z) }, { bytes: a, digest: await digestOf(a) }];
  const state = { registered: 0, collected: 0, swaps: 0, stateBytes, sources };
  state.registry = new FinalizationRegistry(() => state.collected++);
  state.m = await HotModule.load(sources[1]);
  fillState(state.m.exports, stateBytes, 77);
  state.registry.register(state.m.exports.memory, state.registered++);
  leak = state;
  return { ...(await memorySnapshot()), registered: state.registered, collected: state.collected };
}

export async function leakSwaps({ count }) {
  const s = leak;
  const t0 = now();
  for (let i = 0; i < count; i++) {
    await s.m.swap(s.sources[s.swaps++ % 2]);
    s.registry.register(s.m.exports.memory, s.registered++);
  }
  const ms = now() - t0;
  checkState(s.m.exports, s.stateBytes, 77, "after swaps");
  return { swaps: s.swaps, msPerSwap: ms / count };
}

/** FinalizationRegistry callbacks run in tasks after a GC: collect until `s.collected` settles. */
export async function settle(s) {
  let last = -1;
  for (let i = 0; i < 20 && s.collected !== last; i++) {
    last = s.collected;
    await gc();
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

export async function leakEnd() {
  const s = leak;
  await settle(s);
  const snapshot = await memorySnapshot();
  checkState(s.m.exports, s.stateBytes, 77, "after swaps");
  return { ...snapshot, registered: s.registered, collected: s.collected, live: s.registered - s.collected, swaps: s.swaps };
}

// Figure 11: `staged.commit()`, the time from the app's decision to the new version serving.
// Ours: `m.prepare({ bytes, digest })` outside the timed region (fresh per repetition, against a
// fresh `m`), then only the synchronous `staged.commit()`. Floor: the new module compiled
// outside the timed region, then `new WebAssembly.Instance(module, {})` (synchronous, like the
// commit: the async `instantiate(module)` would add a promise's turn that is not instantiation
// work), then the guest's `save_state`, the copy into the new memory and `load_state`, as
// figures 1/2's floor moves it. The floor instantiates inside its timed region and the commit
// does not (the prepare did): the issue puts instantiation in the floor, what an app without
// the runtime pays from its decision on if it compiled ahead.
export async function commitFigure({ codeBytes, stateBytes, reps, warmup = 2 }) {
  const b = base(codeBytes, stateBytes);
  const out = { floor: [], floorInstantiate: [], floorMove: [], ours: [], reportCommit: [], commitStages: [], listened: [] };

  async function floor(keep) {
    const a = fresh(b), next = fresh(b), value = (seeds % 250) + 1;
    const { instance: old } = await WebAssembly.instantiate(a, {});
    fillState(old.exports, stateBytes, value);
    const module = await WebAssembly.compile(next);
    await gc();
    const t0 = now();
    const { exports: n } = new WebAssembly.Instance(module, {});
    const t1 = now();
    const o = old.exports;
    const header = o.save_state();
    const view = new DataView(o.memory.buffer);
    const ptr = view.getUint32(header, true), len = view.getUint32(header + 4, true);
    const target = n.alloc_state(len);
    new Uint8Array(n.memory.buffer).set(new Uint8Array(o.memory.buffer, ptr, len), target);
    if (n.load_state(target, len) !== 0) throw new Error("floor: load_state refused");
    const t2 = now();
    checkState(n, stateBytes, value, "floor");
    if (keep) {
      out.floor.push(t2 - t0);
      out.floorInstantiate.push(t1 - t0);
      out.floorMove.push(t2 - t1);
    }
  }

  // `listen`: a third run, not in the ratio, with a `swapped` listener noting when the event is
  // dispatched (after the commit and its report, before the health check and the return),
  // which splits what the commit() costs beyond the report's commitStages.
  async function ours(keep, listen = false) {
    const a = fresh(b), next = fresh(b), value = (seeds % 250) + 1;
    const [da, dn] = await Promise.all([digestOf(a), digestOf(next)]);
    const m = await HotModule.load({ bytes: a, digest: da }); // retain: 2, the default
    fillState(m.exports, stateBytes, value);
    const staged = await m.prepare({ bytes: next, digest: dn });
    let swappedAt = null;
    if (listen) m.addEventListener("swapped", () => (swappedAt = now()));
    await gc();
    const t0 = now();
    const report = staged.commit();
    const t1 = now();
    checkState(m.exports, stateBytes, value, "wasm-hotswap");
    if (m.digest !== dn) throw new Error("wasm-hotswap: not serving the new digest");
    if (keep && listen) {
      out.listened.push({ total: t1 - t0, toSwapped: swappedAt - t0, afterSwapped: t1 - swappedAt, reportCommit: report.commit });
    } else if (keep) {
      out.ours.push(t1 - t0);
      out.reportCommit.push(report.commit);
      out.commitStages.push({ ...report.commitStages });
    }
    // The old instance, kept for rollback, and the new one go with `m`: nothing accumulates.
    staged.free();
    m.free();
  }

  const listened = (keep) => ours(keep, true);
  for (let r = -warmup; r < reps; r++) {
    const pair = r % 2 === 0 ? [floor, ours] : [ours, floor];
    for (const f of pair) await f(r >= 0);
    await listened(r >= 0);
  }
  await gc();
  return out;
}
