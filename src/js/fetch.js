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
