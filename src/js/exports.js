// The per-call path of wasm-hotswap: plain JS functions, no Proxy.
//
// Each function export gets a cell `{ f }` holding the serving instance's function and a stub
// `(a, b) => cell.f(a, b)` of the export's arity. Apps hold the stub; a commit rewrites the
// cells. Non-function exports (memory, table, global) and classes (a wasm-bindgen guest's,
// which must be called with `new`) are getters returning the serving instance's object. During a commit every cell holds a thrower, so a re-entrant call (from a
// guest import) fails with SWAP_IN_PROGRESS instead of reaching a half-swapped module.
//
// An async (JSPI) guest's table (`async`, set before its first `bind`) puts in each cell a
// `WebAssembly.promising` wrapper that counts the calls in flight; `pause` makes the cells
// queue new calls, `drained` waits for the count to reach 0, `resume` releases the queue to
// whatever the cells hold then. A sync guest's cells hold the instance's functions, as before.

let ErrorClass = null;

// Registered by the TypeScript shim so that errors are `instanceof HotSwapError`.
export function registerErrorClass(cls) {
  ErrorClass = cls;
}

export function makeError(code, message, cause) {
  const options = cause === undefined ? undefined : { cause };
  if (ErrorClass !== null) return new ErrorClass(code, message, options);
  const error = new Error(message, options);
  error.name = "HotSwapError";
  error.code = code;
  return error;
}

function stub(cell, arity) {
  switch (arity) {
    case 0: return function () { return cell.f(); };
    case 1: return function (a) { return cell.f(a); };
    case 2: return function (a, b) { return cell.f(a, b); };
    case 3: return function (a, b, c) { return cell.f(a, b, c); };
    case 4: return function (a, b, c, d) { return cell.f(a, b, c, d); };
    case 5: return function (a, b, c, d, e) { return cell.f(a, b, c, d, e); };
    case 6: return function (a, b, c, d, e, g) { return cell.f(a, b, c, d, e, g); };
    default: return function (...args) { return cell.f(...args); };
  }
}

// A class must be constructed with `new`, which a stub calling `cell.f(...)` cannot forward.
function isClass(value) {
  return /^class[\s{]/.test(Function.prototype.toString.call(value));
}

function removed(name) {
  return function () {
    throw makeError(
      "INCOMPATIBLE_INTERFACE",
      `export \`${name}\` is not in the module serving now: a major upgrade removed it`,
    );
  };
}

function busy(name) {
  return function () {
    throw makeError(
      "SWAP_IN_PROGRESS",
      `swap in progress: export \`${name}\` was called during a swap's commit; call it again after the swap`,
    );
  };
}

// Whether `value` is a `WebAssembly.Suspending` function: an import an async guest calls.
export function isSuspending(value) {
  const Suspending = globalThis.WebAssembly?.Suspending;
  return typeof Suspending === "function" && value instanceof Suspending;
}

// The names of the imports `module` declares that `imports` gives as `WebAssembly.Suspending`
// functions (all of them, at any depth of two, without `module`): a guest with any is async.
export function suspendingImports(imports, module) {
  const Suspending = globalThis.WebAssembly?.Suspending;
  if (typeof Suspending !== "function" || imports === null || typeof imports !== "object") return [];
  const found = [];
  if (module !== undefined) {
    for (const { module: ns, name, kind } of WebAssembly.Module.imports(module)) {
      if (kind === "function" && imports[ns]?.[name] instanceof Suspending) found.push(`${ns}.${name}`);
    }
    return found;
  }
  for (const [ns, values] of Object.entries(imports)) {
    if (values instanceof Suspending) found.push(ns);
    else if (values !== null && typeof values === "object") {
      for (const [name, value] of Object.entries(values)) if (value instanceof Suspending) found.push(`${ns}.${name}`);
    }
  }
  return found;
}

// A call queued while an async guest's table is paused: it enters whatever the cell holds when
// the table resumes (the new version after a commit, the old one after a drain timeout).
function queued(table, cell) {
  return function (...args) {
    return new Promise((resolve, reject) => {
      table.waiting.push(() => {
        try { resolve(cell.f(...args)); } catch (error) { reject(error); }
      });
    });
  };
}

export class ExportTable {
  constructor() {
    this.exports = Object.create(null);
    this.cells = new Map();
    this.onProbation = false;
    this.timer = undefined;
    this.async = false;
    this.inFlight = 0;
    this.waiting = null;
    this.idle = null;
  }

  // An async guest's function: `WebAssembly.promising`, counted in `inFlight` until its promise
  // settles, with the wasm function's arity.
  promising(f) {
    const p = WebAssembly.promising(f);
    const table = this;
    const settled = () => {
      if (--table.inFlight === 0 && table.idle !== null) table.idle();
    };
    const fn = function (...args) {
      table.inFlight++;
      let result;
      try {
        result = p(...args);
      } catch (error) {
        settled();
        throw error;
      }
      return result.then((value) => { settled(); return value; }, (error) => { settled(); throw error; });
    };
    Object.defineProperty(fn, "length", { value: f.length });
    return fn;
  }

  // Queues every call to an async guest's function exports until `resume`.
  pause() {
    this.waiting ??= [];
    for (const cell of this.cells.values()) {
      if (typeof cell.f !== "function" || isClass(cell.f)) continue;
      cell.queued ??= queued(this, cell);
      cell.f = cell.queued;
    }
  }

  // Resolves with true when no call is in flight, or false after `ms` milliseconds.
  drained(ms) {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.idle = null; resolve(false); }, ms);
      this.idle = () => { clearTimeout(timer); this.idle = null; resolve(true); };
    });
  }

  // Undoes `pause` and runs the queued calls, in order, against what the cells hold now.
  resume() {
    const waiting = this.waiting ?? [];
    this.waiting = null;
    for (const cell of this.cells.values()) if (cell.f === cell.queued) cell.f = cell.held;
    for (const run of waiting) run();
  }

  // Points every export at `raw` (an instance's exports), skipping the names in `hidden`.
  // Exports new to `raw` appear. Exports missing from `raw` (only after a major upgrade the
  // host consented to) disappear from `exports`, and stubs the app kept throw when called.
  bind(raw, hidden) {
    this.endProbation();
    for (const name of Object.keys(raw)) {
      if (hidden.includes(name)) continue;
      let value = raw[name];
      if (this.async && typeof value === "function") value = this.promising(value);
      const cell = this.cells.get(name);
      if (cell !== undefined && name in this.exports && (typeof value !== "function" || value.length === cell.arity)) {
        cell.f = cell.held = value;
      } else {
        // New, or back after a major upgrade removed it, or its arity changed in one: a stub
        // (a new one for a new arity) over the cell; stubs the app kept call the same cell.
        this.define(name, value, cell);
      }
    }
    for (const [name, cell] of this.cells) {
      if (name in raw && !hidden.includes(name)) continue;
      if (typeof cell.held === "function") cell.f = cell.held = removed(name);
      delete this.exports[name];
    }
  }

  define(name, value, existing) {
    const cell = existing ?? { busy: busy(name) };
    cell.f = cell.held = value;
    cell.arity = value.length;
    this.cells.set(name, cell);
    if (typeof value === "function" && !isClass(value)) {
      const fn = stub(cell, value.length);
      Object.defineProperty(fn, "name", { value: name });
      Object.defineProperty(this.exports, name, { value: fn, enumerable: true, configurable: true });
    } else {
      Object.defineProperty(this.exports, name, { get: () => cell.f, enumerable: true, configurable: true });
    }
  }

  // Makes every function export throw SWAP_IN_PROGRESS until `release`.
  hold() {
    for (const cell of this.cells.values()) {
      if (typeof cell.f === "function") cell.f = cell.busy;
    }
  }

  // Undoes `hold`, keeping the functions that were serving.
  release() {
    for (const cell of this.cells.values()) cell.f = cell.held;
  }

  // Probation: until `calls` calls have returned or `ms` milliseconds have passed (either may
  // be undefined), every function export goes through a wrapper that calls `onTrap(error)`
  // when a call traps (a WebAssembly.RuntimeError) and then rethrows it to its caller. Only
  // during probation is there a try/catch on the call path.
  probation(onTrap, calls, ms) {
    this.endProbation();
    this.onProbation = true;
    let left = calls ?? Infinity;
    const table = this;
    for (const cell of this.cells.values()) {
      const plain = cell.held;
      if (typeof plain !== "function" || isClass(plain)) continue;
      cell.plain = plain;
      // An async guest's trap is a rejection, and a call returns when its promise settles.
      if (this.async) {
        const trapped = (error) => {
          if (error instanceof WebAssembly.RuntimeError && table.onProbation) {
            table.endProbation();
            onTrap(error);
          }
          throw error;
        };
        const returned = (value) => {
          if (--left <= 0) table.endProbation();
          return value;
        };
        cell.f = cell.held = function (...args) {
          return plain(...args).then(returned, trapped);
        };
        continue;
      }
      cell.f = cell.held = function (...args) {
        let result;
        try {
          result = plain(...args);
        } catch (error) {
          if (error instanceof WebAssembly.RuntimeError && table.onProbation) {
            table.endProbation();
            onTrap(error);
          }
          throw error;
        }
        if (--left <= 0) table.endProbation();
        return result;
      };
    }
    if (ms !== undefined) this.timer = setTimeout(() => table.endProbation(), ms);
  }

  // Ends probation: the exports call the serving instance directly again.
  endProbation() {
    if (!this.onProbation) return;
    this.onProbation = false;
    clearTimeout(this.timer);
    for (const cell of this.cells.values()) {
      if (cell.plain === undefined) continue;
      if (cell.f === cell.held) cell.f = cell.plain;
      cell.held = cell.plain;
      cell.plain = undefined;
    }
  }
}

// A module's events (`swapped`, `rolledback`): HotModule delegates its EventTarget methods here.
// It counts its listeners, so that a commit nobody listens to builds no event.
export class Events extends EventTarget {
  #listeners = new Map();

  addEventListener(type, listener, options) {
    if (listener !== null && listener !== undefined) this.#listeners.set(type, (this.#listeners.get(type) ?? 0) + 1);
    super.addEventListener(type, listener, options);
  }

  removeEventListener(type, listener, options) {
    const n = this.#listeners.get(type) ?? 0;
    if (n > 0) this.#listeners.set(type, n - 1);
    super.removeEventListener(type, listener, options);
  }

  // Whether anyone may be listening to `type` (an over-count, for listeners added twice or
  // removed by `once`, only costs an event nobody receives).
  listens(type) {
    return (this.#listeners.get(type) ?? 0) > 0;
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

// Running a wasm-bindgen guest's glue: its verified text, rewritten as a function body by
// src/guest/glue.rs, becomes a function of its own each time, so each version runs its own
// copy in its own closure, which the garbage collector reclaims with the instance. (An ES
// module record would never be unloaded, and would keep the instance's memory alive.)
//
// `new Function` is an eval. Where the browser has Trusted Types, the body goes through a
// policy named `wasm-hotswap`, so that a page can allow exactly this eval with
// `script-src 'trusted-types-eval'`, `require-trusted-types-for 'script'` and
// `trusted-types wasm-hotswap`, rather than any eval with `'unsafe-eval'`.

let policy;

function trusted(body) {
  const tt = globalThis.trustedTypes;
  if (tt === undefined || typeof tt.createPolicy !== "function") return body;
  policy ??= tt.createPolicy("wasm-hotswap", { createScript: (text) => text });
  return policy.createScript(body);
}

// The glue as a function of `param` (standing for `import.meta.url`); throws a SyntaxError for
// a body that is not JS, an EvalError where the page's CSP forbids eval.
export function compileGlue(param, body) {
  return new Function(param, trusted(body));
}

// A component's `getCoreModule` for its transpiled JS: the runtime's verified, compiled core
// modules by the names the JS asks for. The runtime checked beforehand that every name the JS
// asks for is here; a name that is not throws.
export function coreGetter(names, modules) {
  const byName = new Map(names.map((name, i) => [name, modules[i]]));
  return (name) => {
    const module = byName.get(name);
    if (module === undefined) throw new Error(`no verified core module \`${name}\``);
    return module;
  };
}

// An AssemblyScript guest's exports: the raw bindings' `instantiate` returns the functions it
// lifts, with the module's own exports as their prototype (it wraps only what needs lifting).
// The export table binds own keys, so both are flattened here, the lifted ones first.
export function flatExports(lifted) {
  const flat = Object.create(null);
  const own = Object.getPrototypeOf(lifted);
  if (own !== null && own !== Object.prototype) {
    for (const name of Object.keys(own)) flat[name] = own[name];
  }
  for (const name of Object.keys(lifted)) flat[name] = lifted[name];
  return flat;
}

// A swap's report as the app gets it, made in one call (the commit returns it, so building it
// field by field from wasm would cost more than the commit's own work). The keys are
// SwapReport's (src/report.rs); tests/typescript_types.rs checks they agree.
export function makeReport(from, to, fromVersion, toVersion, guest, bump, changes, stateBytes,
  resolve, fetchVerify, inspect, gate, compile, instantiate,
  commit, save, copy, load, rebind, total, queued, rollback) {
  // wasm-bindgen passes a Rust `None` as undefined; the report says null.
  return {
    from, to, fromVersion: fromVersion ?? null, toVersion: toVersion ?? null, guest, bump: bump ?? null, changes, stateBytes,
    stages: { resolve, fetchVerify, inspect, gate, compile, instantiate },
    commit,
    commitStages: { save, copy, load, rebind, total: commit },
    total, queued, rollback,
  };
}

// A staged swap's report, made when it was prepared, completed by its commit: the numbers only,
// so that the commit does not build the object.
export function finishReport(report, stateBytes, commit, save, copy, load, rebind, total) {
  report.stateBytes = stateBytes;
  report.commit = commit;
  const stages = report.commitStages;
  stages.save = save;
  stages.copy = copy;
  stages.load = load;
  stages.rebind = rebind;
  stages.total = commit;
  report.total = total;
  return report;
}

// State outside the instance (src/persist.rs, src/kv.rs): the IndexedDB half of `persist`,
// and the host key-value store a guest imports as `hotswap:kv`. The decisions (what a
// snapshot holds, whether a record is one, what to report) are made in Rust.

const SNAPSHOT_DB = "wasm-hotswap";
const SNAPSHOT_STORE = "snapshots";

// `m.persistence`: the record of one key, the hooks that take snapshots, and the events
// (`persisted`, `persistfailed`, `restorefailed`).
export class Persistence extends EventTarget {
  #key;
  #factory;
  #db = null;
  #unhook = null;

  constructor(key, factory) {
    super();
    this.#key = key;
    this.#factory = factory ?? globalThis.indexedDB;
  }

  get key() {
    return this.#key;
  }

  #open() {
    this.#db ??= new Promise((resolve, reject) => {
      if (this.#factory == null) {
        throw new DOMException("IndexedDB is not available in this context", "NotSupportedError");
      }
      const request = this.#factory.open(SNAPSHOT_DB, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(SNAPSHOT_STORE)) db.createObjectStore(SNAPSHOT_STORE);
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading the database: let it, and reopen on the next use.
        db.onversionchange = () => {
          db.close();
          this.#db = null;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    }).catch((error) => {
      this.#db = null;
      throw error;
    });
    return this.#db;
  }

  // Runs `use(store)` in a transaction; resolves with what its request gave once the
  // transaction completed. A write refused for quota rejects with `QuotaExceededError`,
  // whether `put` threw it or the transaction aborted with it.
  async #transaction(mode, use) {
    const db = await this.#open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(SNAPSHOT_STORE, mode);
      const request = use(tx.objectStore(SNAPSHOT_STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onabort = tx.onerror = () => reject(tx.error ?? request.error ?? new DOMException("aborted", "AbortError"));
    });
  }

  // The stored record, or the one stashed at the last `pagehide` when it is newer.
  async read() {
    const stashed = this.#unstash();
    let stored;
    try {
      stored = await this.#transaction("readonly", (store) => store.get(this.#key));
    } catch (error) {
      if (stashed === undefined) throw error;
      return stashed;
    }
    if (stashed === undefined) return stored;
    return (stored?.savedAt ?? -Infinity) >= (stashed?.savedAt ?? -Infinity) ? stored : stashed;
  }

  async write(record) {
    await this.#transaction("readwrite", (store) => store.put(record, this.#key));
    const stashed = this.#unstash();
    if (stashed !== undefined && !(stashed?.savedAt > record.savedAt)) this.#dropStash();
  }

  async forget() {
    this.#dropStash();
    await this.#transaction("readwrite", (store) => store.delete(this.#key));
  }

  // An IndexedDB write started in `pagehide` does not land when the page is going away (a
  // reload, a navigation: Chromium closes the connection first), so the `pagehide` snapshot is
  // also written synchronously to localStorage, which `read` takes when it is the newer one.
  // False when there is no localStorage (a worker) or no room in it (about 5 MB an origin).
  stash(record) {
    try {
      const kv = record.kv === null ? null : Array.from(record.kv, ([k, v]) => [k, toBase64(v)]);
      const state = record.state === null ? null : toBase64(record.state);
      globalThis.localStorage.setItem(this.#stashKey(), JSON.stringify({ ...record, state, kv }));
      return true;
    } catch {
      return false;
    }
  }

  #stashKey() {
    return `wasm-hotswap:${this.#key}`;
  }

  // The stashed record; its text when it is not one (for Rust to report as corrupt).
  #unstash() {
    let text;
    try {
      text = globalThis.localStorage?.getItem(this.#stashKey());
    } catch {
      return undefined;
    }
    if (text == null) return undefined;
    try {
      const record = JSON.parse(text);
      const state = record.state === null ? null : fromBase64(record.state);
      const kv = record.kv === null ? null : new Map(record.kv.map(([k, v]) => [k, fromBase64(v)]));
      return { ...record, state, kv };
    } catch {
      return text;
    }
  }

  #dropStash() {
    try {
      globalThis.localStorage?.removeItem(this.#stashKey());
    } catch {
      // No localStorage: nothing stashed.
    }
  }

  // Calls `take(unloading)` when the page becomes hidden, on `pagehide` (unloading: true), and
  // every `interval` ms.
  hook(take, interval) {
    this.unhook();
    const hidden = () => {
      if (globalThis.document?.visibilityState === "hidden") take(false);
    };
    const pagehide = () => take(true);
    const timer = interval > 0 ? setInterval(() => take(false), interval) : undefined;
    globalThis.addEventListener?.("pagehide", pagehide);
    globalThis.document?.addEventListener("visibilitychange", hidden);
    this.#unhook = () => {
      clearInterval(timer);
      globalThis.removeEventListener?.("pagehide", pagehide);
      globalThis.document?.removeEventListener("visibilitychange", hidden);
    };
  }

  unhook() {
    this.#unhook?.();
    this.#unhook = null;
  }

  get hooked() {
    return this.#unhook !== null;
  }

  // Dispatches now, or (`later`) in a task of its own: a `restorefailed` found during `load`
  // reaches listeners added right after `await load(…)`.
  report(type, detail, later) {
    const send = () => this.dispatchEvent(new CustomEvent(type, { detail }));
    if (later) setTimeout(send, 0);
    else send();
  }
}

function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096));
  }
  return btoa(text);
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const KV = Symbol("wasm-hotswap kv store");

// Bytes as a string, one char per byte: a Map key that compares by content.
function byteKey(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096));
  }
  return text;
}

// The host key-value store of one HotModule: `map` outlives every instance.
export class KvStore {
  constructor() {
    this.map = new Map();
  }

  // The `hotswap:kv` functions over the memory `slot.memory` (set once the instance exists).
  namespace(slot) {
    const map = this.map;
    const memory = () => {
      if (slot.memory === null) {
        throw new Error("hotswap:kv was called before its instance's memory was known: a start function cannot use the store");
      }
      return new Uint8Array(slot.memory.buffer);
    };
    const range = (bytes, ptr, len) => {
      ptr >>>= 0;
      len >>>= 0;
      if (ptr + len > bytes.length) {
        throw new RangeError(`hotswap:kv: ${len} bytes at ${ptr} are outside the guest's memory (${bytes.length} bytes)`);
      }
      return bytes.subarray(ptr, ptr + len);
    };
    const namespace = {
      get(keyPtr, keyLen, outPtr, outCap) {
        const bytes = memory();
        const value = map.get(byteKey(range(bytes, keyPtr, keyLen)));
        if (value === undefined) return -1;
        const n = Math.min(value.length, outCap >>> 0);
        range(bytes, outPtr, n).set(value.subarray(0, n));
        return value.length;
      },
      set(keyPtr, keyLen, valPtr, valLen) {
        const bytes = memory();
        map.set(byteKey(range(bytes, keyPtr, keyLen)), range(bytes, valPtr, valLen).slice());
      },
      delete(keyPtr, keyLen) {
        return map.delete(byteKey(range(memory(), keyPtr, keyLen))) ? 1 : 0;
      },
    };
    Object.defineProperty(namespace, KV, { value: this });
    return namespace;
  }

  // `imports` with the store's namespace added, unless the app gave its own `hotswap:kv`.
  merged(imports) {
    if (imports?.["hotswap:kv"] !== undefined) return imports;
    return { ...imports, "hotswap:kv": this.namespace({ memory: null }) };
  }

  // The entries as a snapshot keeps them (values are never changed in place, only replaced).
  copy() {
    return this.map.size === 0 ? null : new Map(this.map);
  }

  // Entries restored from a snapshot: only a Map of string => Uint8Array is taken.
  restore(entries) {
    if (!(entries instanceof Map)) return false;
    for (const value of entries.values()) if (!(value instanceof Uint8Array)) return false;
    this.map.clear();
    for (const [key, value] of entries) this.map.set(key, value);
    return true;
  }
}

// For one instance: `imports` whose `hotswap:kv` (when it is the runtime's store) is a copy
// bound to a slot of its own, and the slot, which `kvAttach` points at the instance's memory.
export function kvBind(imports) {
  const store = imports?.["hotswap:kv"]?.[KV];
  if (store === undefined) return null;
  const slot = { memory: null };
  return { imports: { ...imports, "hotswap:kv": store.namespace(slot) }, slot };
}

export function kvAttach(slot, exports) {
  if (!(exports.memory instanceof WebAssembly.Memory)) return false;
  slot.memory = exports.memory;
  return true;
}

// The fields of `load` and `swap` options in one call, in the order src/api/options.rs reads
// them: one crossing instead of a `Reflect.get` (and a key string made) per field.
export function optionFields(o) {
  return [o.url, o.bytes, o.digest, o.registry, o.name, o.range, o.version, o.imports, o.fetch,
    o.timeout, o.expect, o.policy, o.glue, o.onProgress, o.retain, o.drainTimeout];
}

// `onProgress`'s argument.
export function progress(loaded, total, url) {
  return { loaded, total, url };
}

// Each stage of a load or swap as a User Timing measure, so that it shows in the browser's
// Performance panel: `wasm-hotswap resolve`, `… fetch + verify`, `… inspect`, `… gate`,
// `… compile`, `… instantiate` (times on the page's clock, `performance.now()`), and
// `wasm-hotswap commit`. Nothing where the page has no User Timing.
// The stages' measures are made in a task of their own, with their own times, once the load or
// swap has settled: six `performance.measure` calls are about 0.1 ms, which would otherwise be
// part of every load the app waits for.
export function measureStages(what, start, t0, t1, t2, t3, t4, t5) {
  const p = globalThis.performance;
  if (typeof p?.measure !== "function") return;
  setTimeout(() => {
    const detail = { what };
    try {
      p.measure("wasm-hotswap resolve", { start, end: t0, detail });
      p.measure("wasm-hotswap fetch + verify", { start: t0, end: t1, detail });
      p.measure("wasm-hotswap inspect", { start: t1, end: t2, detail });
      p.measure("wasm-hotswap gate", { start: t2, end: t3, detail });
      p.measure("wasm-hotswap compile", { start: t3, end: t4, detail });
      p.measure("wasm-hotswap instantiate", { start: t4, end: t5, detail });
    } catch {
      // A page whose clock went past the times given: measures are a convenience.
    }
  }, 0);
}

// The commit's measure is made once the synchronous commit has returned (a microtask, with its
// own times), so that the User Timing call is not part of the commit the app waits for.
export function measureCommit(what, start, end) {
  queueMicrotask(() => {
    try {
      globalThis.performance?.measure?.("wasm-hotswap commit", { start, end, detail: { what } });
    } catch {
      // As above.
    }
  });
}
