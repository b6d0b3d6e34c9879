// The wasm-bindgen figures, measured in the page (page.html puts them on `window.bench` with
// page.mjs's): figures 9 and 9b, a swap of the notes guests against a raw floor, and figure
// 8b, swaps of a guest holding 32 MB with every instance's memory and glue copy registered in
// a FinalizationRegistry. Fresh module and glue bytes for every repetition.
import { HotModule } from "../dist/index.js";
import { withSeed } from "./guest.mjs";
import { gc, memorySnapshot, settle, timeSwap } from "./page.mjs";

const now = () => performance.now();
const run = Math.random().toString(36).slice(2, 8);
let seeds = 0;
const digestOf = async (bytes) =>
  "sha256:" + Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
const bytesOf = async (path) => new Uint8Array(await (await fetch(path, { cache: "no-store" })).arrayBuffer());

// A wasm-bindgen guest as built: its `_bg.wasm` and its glue's text.
const built = new Map();
async function guest(dir, name) {
  if (!built.has(name)) {
    const wasm = await bytesOf(`${dir}/${name}_bg.wasm`);
    const glue = new TextDecoder().decode(await bytesOf(`${dir}/${name}.js`));
    built.set(name, { wasm, glue });
  }
  return built.get(name);
}

/**
 * A fresh copy of a built guest: the module with a unique `bench-seed` custom section first
 * (still the module its glue was written for), the glue with a unique comment appended, and
 * both digests, as `HotModule.load` and `m.swap` take them; `glueText` for the floor.
 */
async function fresh({ wasm, glue }) {
  const seed = `${run}-${++seeds}`;
  const bytes = withSeed(wasm, seed);
  const glueText = `${glue}\n// bench-seed ${seed}\n`;
  const glueBytes = new TextEncoder().encode(glueText);
  const [digest, glueDigest] = await Promise.all([digestOf(bytes), digestOf(glueBytes)]);
  return { bytes, digest, glue: { bytes: glueBytes, digest: glueDigest }, glueText };
}

// The floor's way to run a glue: as the ES module it is, from a blob: URL. (Such a module
// record is never unloaded: the floor's instances stay alive, which is why figure 9 runs in a
// page of its own.)
async function importGlue(text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
  try {
    return await import(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

// `count` notes of `size` bytes each.
function addNotes(add, count, size) {
  for (let i = 0; i < count; i++) add(`note ${String(i).padStart(8, "0")} `.padEnd(size, "x"));
}

function checkNotes(exports, count, who) {
  const n = exports.count();
  if (n !== count) throw new Error(`${who}: ${n} notes of ${count} carried`);
  if (!exports.is_pinned || exports.is_pinned(0) !== false) throw new Error(`${who}: not serving v2`);
}

// Figures 9 and 9b. Floor: compile the new module; import its glue (from text, as a blob:
// module), `initSync({ module })`; then `load_state(old.save_state())` through the two glues.
// Ours: m.swap({ bytes, digest, glue: { bytes, digest } }). Both start from v1 holding
// `notes` notes of `noteBytes` bytes; neither side's setup is timed.
export async function bindgenSwapFigure({ reps, notes, noteBytes, warmup = 2 }) {
  const [v1, v2] = await Promise.all([guest("/www/build/notes_v1", "notes_v1"), guest("/www/build/notes_v2", "notes_v2")]);
  const out = { floor: [], floorPrepare: [], floorMove: [], ours: [], commit: [], stages: [], commitStages: [], stateBytes: 0 };

  async function floor(keep) {
    const [a, next] = await Promise.all([fresh(v1), fresh(v2)]);
    const old = await importGlue(a.glueText);
    old.initSync({ module: await WebAssembly.compile(a.bytes) });
    addNotes(old.add, notes, noteBytes);
    await gc();
    const t0 = now();
    const compiling = WebAssembly.compile(next.bytes);
    const glue = await importGlue(next.glueText);
    glue.initSync({ module: await compiling });
    const t1 = now();
    const state = old.save_state();
    glue.load_state(state);
    const t2 = now();
    checkNotes(glue, notes, "floor");
    out.stateBytes = state.length;
    if (keep) {
      out.floor.push(t2 - t0);
      out.floorPrepare.push(t1 - t0);
      out.floorMove.push(t2 - t1);
    }
  }

  async function ours(keep) {
    const [a, next] = await Promise.all([fresh(v1), fresh(v2)]);
    const m = await HotModule.load(a);
    addNotes(m.exports.add, notes, noteBytes);
    await gc();
    await timeSwap(m, next, keep && out, () => checkNotes(m.exports, notes, "wasm-hotswap"));
  }

  for (let r = -warmup; r < reps; r++) {
    const order = r % 2 === 0 ? [floor, ours] : [ours, floor];
    for (const f of order) await f(r >= 0);
  }
  await gc();
  return out;
}

// Figure 8b: swaps back and forth between two copies of the ballast guest, which holds `mb`
// MB in every instance. Every memory that served (the guest's `wasm_memory()`) and every copy
// of the glue (its class `Probe`, one class object per evaluation) is registered; after a
// full GC all but the serving one must have been collected.
let leak = null;

const ballastGuest = () => guest("/bench/build/ballast", "ballast");

// Counts of what is registered, collected and alive; `register(exports)` registers the memory
// and the glue copy of the version `exports` reaches.
function liveness() {
  const state = { registered: 0, collected: 0, alive: { memory: 0, glue: 0 } };
  const registry = new FinalizationRegistry((kind) => {
    state.collected++;
    state.alive[kind]--;
  });
  state.register = (exports) => {
    for (const [kind, target] of [["memory", exports.wasm_memory()], ["glue", exports.Probe]]) {
      registry.register(target, kind);
      state.registered++;
      state.alive[kind]++;
    }
  };
  return state;
}

export async function bindgenLeakStart({ mb }) {
  const ballast = await ballastGuest();
  const sources = [await fresh(ballast), await fresh(ballast)];
  const state = Object.assign(liveness(), { swaps: 0, mb, sources });
  state.m = await HotModule.load(sources[0]);
  state.m.exports.fill(mb, 77);
  state.checksum = state.m.exports.checksum();
  state.register(state.m.exports);
  leak = state;
  return { ...(await memorySnapshot()), alive: { ...state.alive } };
}

function checkBallast(s, who) {
  const held = s.m.exports.held(), sum = s.m.exports.checksum();
  if (held !== s.mb << 20 || sum !== s.checksum) throw new Error(`${who}: ballast not carried (${held} bytes, checksum ${sum} of ${s.checksum})`);
}

export async function bindgenLeakSwaps({ count }) {
  const s = leak;
  const t0 = now();
  for (let i = 0; i < count; i++) {
    await s.m.swap(s.sources[++s.swaps % 2]);
    s.register(s.m.exports);
  }
  const ms = now() - t0;
  checkBallast(s, "after swaps");
  return { swaps: s.swaps, msPerSwap: ms / count };
}

export async function bindgenLeakEnd() {
  const s = leak;
  await settle(s);
  const snapshot = await memorySnapshot();
  checkBallast(s, "after swaps");
  return { ...snapshot, registered: s.registered, collected: s.collected, alive: { ...s.alive }, swaps: s.swaps };
}

// Figure 8b's control: the same guest swapped as a page without the runtime would, each
// version's glue imported as an ES module (wasm-bindgen#5339: its record is never unloaded).
// The measurement must see every retired version alive, and the renderer grow by a ballast
// per swap.
export async function bindgenLeakControl({ mb, swaps }) {
  const ballast = await ballastGuest();
  const s = liveness();
  let current = null;
  for (let i = 0; i <= swaps; i++) {
    const next = await fresh(ballast);
    const glue = await importGlue(next.glueText);
    glue.initSync({ module: await WebAssembly.compile(next.bytes) });
    if (current === null) glue.fill(mb, 77);
    else glue.load_state(current.save_state());
    current = glue;
    s.register(glue);
  }
  current = null;
  await settle(s);
  return { ...(await memorySnapshot()), registered: s.registered, collected: s.collected, alive: { ...s.alive }, swaps };
}
