// The worker half of the worker split (see README.md "Web Workers"): the module runs in the
// worker, the page asks. `serve(HotModule, port)` answers the page's requests on `port` (a
// dedicated worker's `self`, or a shared worker's `event.ports[0]`):
//
//   request  { id, op, options }   op: "load" | "swap" | "watch" | "unwatch" | "call" | "status"
//   reply    { id, ok: true, value } | { id, ok: false, error: { name, code, message } }
//   event    { event, detail }      "swapped"; the watch's "available" | "applied" | "rejected" |
//                                   "error"; with `persist`, "persisted" | "persistfailed" |
//                                   "restorefailed": each event's detail without its objects
//   ready    { ready: true }        sent once, when the worker listens
//
// Options cross the boundary by structured clone, so they hold no functions: a `fetch`,
// `imports` or a policy callback belongs in the worker's own code.

// An event's detail as it can cross: its fields that are neither objects nor functions.
const plain = (detail) =>
  Object.fromEntries(Object.entries(detail ?? {}).filter(([, v]) => v === null || (typeof v !== "object" && typeof v !== "function")));

/** Serves one module (the last `load`) to the page at `port`. */
export function serve(HotModule, port) {
  let module = null;
  let watcher = null;
  const post = (message) => port.postMessage(message);
  const status = () =>
    module === null ? null : { version: module.version ?? null, digest: module.digest, watch: watcher?.role ?? null };
  const loaded = () => {
    if (module === null) throw new Error("nothing loaded: send `load` first");
    return module;
  };
  const ops = {
    async load(options) {
      watcher?.stop();
      module?.free();
      module = null;
      const m = await HotModule.load(options);
      module = m;
      m.addEventListener("swapped", () => post({ event: "swapped", detail: status() }));
      for (const type of ["persisted", "persistfailed", "restorefailed"]) {
        m.persistence?.addEventListener(type, ({ detail }) => post({ event: type, detail: plain(detail) }));
      }
      return status();
    },
    async swap(options) {
      const report = await loaded().swap(options);
      return { ...status(), from: report.fromVersion, to: report.toVersion };
    },
    watch(options) {
      watcher?.stop();
      watcher = loaded().watch(options);
      for (const type of ["available", "applied", "rejected", "error"]) {
        watcher.addEventListener(type, ({ detail }) => post({ event: type, detail: plain(detail) }));
      }
      return status();
    },
    unwatch() {
      watcher?.stop();
      watcher = null;
      return status();
    },
    call({ name, args = [] }) {
      return loaded().exports[name](...args);
    },
    status,
  };
  port.onmessage = async ({ data: { id, op, options } }) => {
    try {
      if (!Object.hasOwn(ops, op)) throw new Error(`unknown op ${JSON.stringify(op)}`);
      post({ id, ok: true, value: await ops[op](options) });
    } catch (e) {
      post({ id, ok: false, error: { name: e?.name ?? "Error", code: e?.code, message: String(e?.message ?? e) } });
    }
  };
  post({ ready: true });
}
