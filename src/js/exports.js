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
export class Events extends EventTarget {
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
