// Figure 10, measured in the page (page.html puts it on `window.bench`): a Component Model
// component swapped end to end, the Rust counter (examples/rust-component) from 1.0.0 to 1.1.0
// with `keys` keys in its state, against a floor in the same page. Every repetition of each
// side gets a package of its own from the bench server (`POST /component/fresh`): the same
// two versions with fresh glue and core module bytes, so no code cache can hit.
import { HotModule } from "../dist/index.js";
import { gc } from "./page.mjs";

const now = () => performance.now();
const run = Math.random().toString(36).slice(2, 8);
let seeds = 0;
const REGISTRY = "/bench/build/components/registry/";
const blobUrl = (digest) => `${REGISTRY}blobs/sha256/${digest.slice("sha256:".length)}`;
const get = async (url) => {
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
};

/** A fresh package: its name and index (versions 1.0.0 and 1.1.0). */
async function freshPackage() {
  const res = await fetch(`/component/fresh?seed=${run}-${++seeds}`, { method: "POST" });
  if (!res.ok) throw new Error(`component/fresh: HTTP ${res.status}`);
  const index = await res.json();
  const version = (v) => index.versions.find((x) => x.version === v);
  return { name: index.name, v1: version("1.0.0"), v2: version("1.1.0") };
}

// The floor's way to run a component's JS: as the ES module jco wrote it, from a blob: URL.
// (Such a module record is never unloaded, which is why figure 10 runs in a page of its own.)
async function importJs(text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
  try {
    return await import(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

const key = (i, keyBytes) => `key ${String(i).padStart(8, "0")} `.padEnd(keyBytes, "x");

function fill(add, keys, keyBytes) {
  for (let i = 0; i < keys; i++) add(key(i, keyBytes), (i % 1000) + 1);
}

function check(exports, keys, keyBytes, who) {
  for (const i of [0, keys >> 1, keys - 1]) {
    const got = exports.get(key(i, keyBytes));
    if (got !== (i % 1000) + 1) throw new Error(`${who}: key ${i} has ${got} after the swap`);
  }
  if (typeof exports.remove !== "function") throw new Error(`${who}: not serving 1.1.0 (no remove)`);
}

/**
 * Every file of package `name` the runtime asks for (its index, and each version's component,
 * JS and core modules), fetched from the bench server now, and a `fetch` that answers those
 * requests from memory: the registry with its bytes in hand. Any other request is an error.
 */
async function inHand(name, versions) {
  const files = new Map();
  const index = `${REGISTRY}packages/${name}/index.json`;
  files.set(index, { bytes: new Uint8Array(await (await get(index)).arrayBuffer()), type: "application/json" });
  const blobs = versions.flatMap((v) => [[v.digest, "application/wasm"], [v.glue.digest, "text/javascript"], ...v.cores.map((c) => [c.digest, "application/wasm"])]);
  await Promise.all(blobs.map(async ([digest, type]) => {
    files.set(blobUrl(digest), { bytes: new Uint8Array(await (await get(blobUrl(digest))).arrayBuffer()), type });
  }));
  return (url) => {
    const file = files.get(new URL(url, location.href).pathname);
    if (file === undefined) return Promise.reject(new Error(`in-hand fetch: ${url} was not fetched beforehand`));
    return Promise.resolve(new Response(file.bytes, { status: 200, headers: { "Content-Type": file.type } }));
  };
}

// Figure 10. Floor: the new version's JS imported as an ES module from a blob: URL of its
// text, its `instantiate(getCoreModule, imports)` with core modules compiled beforehand, then
// `next.loadState(old.saveState())`. Ours: `m.swap({ version: "1.1.0", fetch })` on a module
// loaded from the registry at 1.0.0, the registry's files in hand (`fetch` answers from
// memory, as figure 9 gives both sides the bytes): the index read, every blob verified, the
// component inspected and gated, the cores compiled, the JS run, the state moved. `loopback`:
// the same swap without `fetch`, the index and blobs over loopback from the bench server,
// against `floorLoopback`, the floor fetching what it needs over loopback too. All
// start from 1.0.0 holding the same keys, after a gc(); no side's setup is timed.
export async function componentSwapFigure({ reps, keys, keyBytes, warmup = 2 }) {
  // preview2-shim's browser WASI (page.html's import map), loaded only for this figure.
  const { WASIShim } = await import("@bytecodealliance/preview2-shim/instantiation");
  const imports = new WASIShim().getImportObject();
  const out = {
    floor: [], floorPrepare: [], floorImport: [], floorMove: [], ours: [], commit: [], stages: [], commitStages: [],
    floorLoopback: [], loopback: [], loopbackCommit: [], loopbackStages: [], loopbackCommitStages: [], stateBytes: 0, oursStateBytes: 0,
  };

  // A version as the floor holds it: the JS's text and its core modules, compiled.
  async function version(v) {
    const text = await (await get(blobUrl(v.glue.digest))).text();
    const cores = {};
    await Promise.all(v.cores.map(async (c) => {
      cores[c.name] = await WebAssembly.compile(await (await get(blobUrl(c.digest))).arrayBuffer());
    }));
    return { text, getCoreModule: (name) => cores[name] };
  }

  async function floor(keep) {
    const { v1, v2 } = await freshPackage();
    const [a, b] = await Promise.all([version(v1), version(v2)]);
    const old = await (await importJs(a.text)).instantiate(a.getCoreModule, imports);
    fill(old.add, keys, keyBytes);
    await gc();
    const t0 = now();
    const js = await importJs(b.text);
    const tImport = now();
    const next = await js.instantiate(b.getCoreModule, imports);
    const t1 = now();
    const state = old.saveState();
    next.loadState(state);
    const t2 = now();
    check(next, keys, keyBytes, "floor");
    out.stateBytes = state.length;
    if (keep) {
      out.floor.push(t2 - t0);
      out.floorPrepare.push(t1 - t0);
      out.floorImport.push(tImport - t0);
      out.floorMove.push(t2 - t1);
    }
  }

  // The floor over loopback: the same, with what an app without the runtime fetches inside
  // the timed region: the index, then the new version's JS and its core modules in parallel
  // (`compileStreaming`; no hashing, and not the component itself, which only the runtime
  // reads, to inspect and gate it).
  async function floorLoopback(keep) {
    const { name, v1 } = await freshPackage();
    const a = await version(v1);
    const old = await (await importJs(a.text)).instantiate(a.getCoreModule, imports);
    fill(old.add, keys, keyBytes);
    await gc();
    const t0 = now();
    const index = await (await fetch(`${REGISTRY}packages/${name}/index.json`, { cache: "no-cache" })).json();
    const v2 = index.versions.find((v) => v.version === "1.1.0");
    const cores = {};
    const [text] = await Promise.all([
      fetch(blobUrl(v2.glue.digest), { cache: "no-store" }).then((r) => r.text()),
      ...v2.cores.map(async (c) => (cores[c.name] = await WebAssembly.compileStreaming(fetch(blobUrl(c.digest), { cache: "no-store" })))),
    ]);
    const js = await importJs(text);
    const next = await js.instantiate((n) => cores[n], imports);
    next.loadState(old.saveState());
    const t1 = now();
    check(next, keys, keyBytes, "floor over loopback");
    if (keep) out.floorLoopback.push(t1 - t0);
  }

  async function swap(keep, overLoopback) {
    const { name, v1, v2 } = await freshPackage();
    const fetch = overLoopback ? undefined : await inHand(name, [v1, v2]);
    const m = await HotModule.load({ registry: REGISTRY, name, range: "=1.0.0", imports });
    fill(m.exports.add, keys, keyBytes);
    await gc();
    const t0 = now();
    const report = await m.swap(overLoopback ? { version: "1.1.0" } : { version: "1.1.0", fetch });
    const t1 = now();
    const who = overLoopback ? "wasm-hotswap over loopback" : "wasm-hotswap";
    check(m.exports, keys, keyBytes, who);
    if (m.version !== "1.1.0" || m.digest !== v2.digest) throw new Error(`${who}: serving ${m.version} ${m.digest}`);
    out.oursStateBytes = report.stateBytes;
    if (keep) {
      const [time, commit, stages, commitStages] = overLoopback
        ? [out.loopback, out.loopbackCommit, out.loopbackStages, out.loopbackCommitStages]
        : [out.ours, out.commit, out.stages, out.commitStages];
      time.push(t1 - t0);
      commit.push(report.commit);
      stages.push({ ...report.stages, total: report.total });
      commitStages.push({ ...report.commitStages });
    }
    m.free();
  }

  const ours = (keep) => swap(keep, false);
  const loopback = (keep) => swap(keep, true);
  for (let r = -warmup; r < reps; r++) {
    const order = [floor, ours, floorLoopback, loopback];
    const k = ((r % 4) + 4) % 4;
    for (const f of [...order.slice(k), ...order.slice(0, k)]) await f(r >= 0);
  }
  await gc();
  return out;
}
