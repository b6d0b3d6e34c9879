// Whether a module verified piece by piece could compile while it is hashed (figure 1's large
// cells): in the bench's Chromium, for generated guests of 1 MB and 4 MB, the median over 15 of
//   - `WebAssembly.compile(bytes)`, the floor's compile;
//   - that compile with `crypto.subtle.digest` of the same bytes run beside it (the most that
//     hashing can overlap it: the compile does not wait for the digest);
//   - `compileStreaming` of a `Response` of the bytes (the same compile, fed by a stream);
//   - per-chunk verification: each 256 KB or 1 MB chunk digested, and enqueued into a stream
//     that `compileStreaming` reads once its digest is in (what per-chunk digests in the index
//     would allow: no byte reaches the compiler before its chunk is verified);
//   - the digests alone, of the whole and of the chunks all started at once.
// Not part of `npm run bench`.
//
//   node bench/probe-chunks.mjs
import { onBenchPage } from "./probe-page.mjs";

const rows = await onBenchPage((page) =>
  page.evaluate(async () => {
    const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const time = async (f, n = 15) => {
      const t = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await f();
        t.push(performance.now() - t0);
      }
      return median(t);
    };
    const wasm = { headers: { "content-type": "application/wasm" } };
    const digest = (b) => crypto.subtle.digest("SHA-256", b);
    const out = [];
    for (const size of [1 << 20, 4 << 20]) {
      const made = await fetch(`/make?code=${size}&state=0&seed=chunks-${size}`, { method: "POST" });
      const url = new URL((await made.json()).url, location.href).href;
      const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
      await fetch(url, { method: "DELETE" });
      const chunks = (n) => Array.from({ length: Math.ceil(bytes.length / n) }, (_, k) => bytes.subarray(k * n, (k + 1) * n));
      const chunked = (n) => async () => {
        const parts = chunks(n);
        const digests = parts.map(digest);
        let k = 0;
        const stream = new ReadableStream({
          async pull(c) {
            if (k === parts.length) return c.close();
            await digests[k];
            c.enqueue(parts[k++].slice());
          },
        });
        await WebAssembly.compileStreaming(new Response(stream, wasm));
      };
      out.push({
        size,
        compile: await time(() => WebAssembly.compile(bytes)),
        compileBesideDigest: await time(() => Promise.all([WebAssembly.compile(bytes), digest(bytes)])),
        compileStreaming: await time(() => WebAssembly.compileStreaming(new Response(bytes, wasm))),
        chunked256: await time(chunked(256 << 10)),
        chunked1024: await time(chunked(1 << 20)),
        digest: await time(() => digest(bytes)),
        digest256Parallel: await time(() => Promise.all(chunks(256 << 10).map(digest))),
      });
    }
    return out;
  }),
);
const ms = (x) => x.toFixed(2).padStart(7);
console.log("module | compile | compile + digest beside | compileStreaming(Response) | chunks verified -> compileStreaming, 256 KB / 1 MB | digest | 256 KB digests at once (ms, medians)");
for (const r of rows) {
  console.log(`${(r.size >> 20)} MB   |${ms(r.compile)} |${ms(r.compileBesideDigest)}                |${ms(r.compileStreaming)}                    |${ms(r.chunked256)} /${ms(r.chunked1024)}                               |${ms(r.digest)}|${ms(r.digest256Parallel)}`);
}
