// `fetch` with a deadline, for the `timeout` option: each request of a load or swap (index,
// manifest, blob), its body included, is aborted once `ms` milliseconds have passed since it
// started. The abort surfaces as FETCH_FAILED with the TimeoutError as cause.
export function withTimeout(fetchFn, ms) {
  const inner = fetchFn ?? ((url, init) => fetch(url, init));
  return (url, init) => {
    const deadline = AbortSignal.timeout(ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    return inner(url, { ...init, signal });
  };
}

// Whether this host refuses to compile any Wasm from bytes (Cloudflare workerd): the smallest
// module, compiled synchronously, is refused too.
// Asked only after a compilation failed, to tell that apart from a module the engine rejects.
export function compileForbidden() {
  try {
    new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    return false;
  } catch {
    return true;
  }
}
