// The measurements behind the runtime's small-module thresholds (src/compile.rs
// SYNC_COMPILE_MAX, src/fetch.rs WASM_HASH_MAX and the Content-Length stop), in the bench's
// Chromium: for generated guests of each size, the median over 25 of
//   - `new WebAssembly.Module(bytes)` against `await WebAssembly.compile(bytes)`;
//   - `new WebAssembly.Instance` against `await WebAssembly.instantiate(module)`;
//   - `await crypto.subtle.digest("SHA-256", bytes)`, and of that the time spent inside the
//     `digest()` call itself (Chromium hashes there, on the calling thread);
//   - over loopback, the wait from a body's last chunk to its stream reporting the end.
// Not part of `npm run bench`.
//
//   node bench/probe-small.mjs
import { onBenchPage } from "./probe-page.mjs";

const rows = await onBenchPage((page) =>
  page.evaluate(async () => {
    const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const time = async (f) => {
      const t0 = performance.now();
      await f();
      return performance.now() - t0;
    };
    const out = [];
    for (const size of [10 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20]) {
      const m = { compileSync: [], compileAsync: [], instanceSync: [], instantiateAsync: [], digest: [], digestCall: [], streamEnd: [] };
      for (let i = 0; i < 25; i++) {
        const made = await fetch(`/make?code=${size}&state=0&seed=probe-${size}-${i}`, { method: "POST" });
        const url = new URL((await made.json()).url, location.href).href;
        const response = await fetch(url);
        const reader = response.body.getReader();
        const parts = [];
        let lastChunk = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parts.push(value);
          lastChunk = performance.now();
        }
        m.streamEnd.push(performance.now() - lastChunk);
        const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
        await fetch(url, { method: "DELETE" });
        let module;
        m.compileSync.push(await time(() => (module = new WebAssembly.Module(bytes))));
        m.instanceSync.push(await time(() => new WebAssembly.Instance(module, {})));
        m.compileAsync.push(await time(async () => (module = await WebAssembly.compile(bytes))));
        m.instantiateAsync.push(await time(() => WebAssembly.instantiate(module, {})));
        m.digest.push(await time(() => crypto.subtle.digest("SHA-256", bytes)));
        const called = performance.now();
        const pending = crypto.subtle.digest("SHA-256", bytes);
        m.digestCall.push(performance.now() - called);
        await pending;
      }
      out.push({ size, ...Object.fromEntries(Object.entries(m).map(([k, v]) => [k, median(v)])) });
    }
    return out;
  }),
);
const ms = (x) => x.toFixed(3).padStart(8);
console.log("module    | new Module | compile() | new Instance | instantiate() | subtle.digest | (in the call) | last chunk -> stream end (ms, medians)");
for (const r of rows) {
  console.log(`${(r.size >> 10).toString().padStart(5)} KB  |${ms(r.compileSync)}   |${ms(r.compileAsync)}  |${ms(r.instanceSync)}     |${ms(r.instantiateAsync)}      |${ms(r.digest)}       |${ms(r.digestCall)}       |${ms(r.streamEnd)}`);
}
