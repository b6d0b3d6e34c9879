// The page half of the worker split (see hotswap-worker.js for the messages): `connect(port)`
// with a `Worker` or a `SharedWorker`'s `port` returns the module's remote: each method resolves
// with the worker's answer, or rejects with an Error carrying the HotSwapError's `code`.
export function connect(port) {
  let id = 0;
  const pending = new Map();
  const events = new EventTarget();
  let ready;
  const listening = new Promise((resolve) => (ready = resolve));
  port.onmessage = ({ data }) => {
    if (data?.ready) return ready();
    if (data?.event) return events.dispatchEvent(new CustomEvent(data.event, { detail: data.detail }));
    const call = pending.get(data.id);
    pending.delete(data.id);
    if (data.ok) call?.resolve(data.value);
    else call?.reject(Object.assign(new Error(data.error.message), { name: data.error.name, code: data.error.code }));
  };
  const request = (op, options) =>
    listening.then(
      () =>
        new Promise((resolve, reject) => {
          pending.set(++id, { resolve, reject });
          port.postMessage({ id, op, options });
        }),
    );
  return {
    /** `HotModule.load(options)` in the worker; resolves with its status (see `status`). */
    load: (options) => request("load", options),
    /** `m.swap(options)`: the page asks for an update now; `the status and `from`, `to`. */
    swap: (options) => request("swap", options),
    /** `m.watch(options)`: the worker polls and tells the page (`applied`, …); the status. */
    watch: (options) => request("watch", options),
    unwatch: () => request("unwatch"),
    /** Calls export `name` with `args` (structured-cloneable values). */
    call: (name, ...args) => request("call", { name, args }),
    /** `{ version, digest, watch }` of the module serving in the worker (`watch`: the
     *  watcher's role, "leader" while it polls, or null), or null before a load. */
    status: () => request("status"),
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
  };
}
