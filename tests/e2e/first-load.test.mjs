// `load({ url })` requests its module as it is called (a page's first load: beside the runtime's own wasm) and hands
// the response to the runtime once it is up (ts/entry.ts, `earlyFetch`): the runtime hashes it
// exactly as a body it fetched itself. Each test is a fresh page, so that its load is the
// page's first.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { start } from "./harness.mjs";

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

/**
 * In a fresh page: the add module (`add(a, b)`) with a custom section of `filler` bytes, served
 * from a `blob:` URL (same-origin), then `HotModule.load({ url, digest })` as the page's first
 * call; `tamper` flips one byte of the filler after the digest is taken.
 */
const firstLoad = ({ filler, tamper = false, url = null }) =>
  env.evaluate("/tests/e2e/fixtures/blank.html", `(async () => {
    const { HotModule } = await import("/dist/index.js");
    const head = [0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0,
      7, 7, 1, 3, 97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11];
    const size = ${filler} + 7;
    const custom = [0, 0x80 | (size & 0x7f), 0x80 | ((size >> 7) & 0x7f), size >> 14, 6, ...new TextEncoder().encode("filler")];
    const bytes = new Uint8Array(head.length + custom.length + ${filler});
    bytes.set(head);
    bytes.set(custom, head.length);
    for (let i = head.length + custom.length; i < bytes.length; i++) bytes[i] = i & 0xff;
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const digest = "sha256:" + Array.from(hash, (v) => v.toString(16).padStart(2, "0")).join("");
    if (${tamper}) bytes[bytes.length - 1] ^= 1;
    const url = ${JSON.stringify(url)} ?? URL.createObjectURL(new Blob([bytes]));
    try {
      const m = await HotModule.load({ url, digest });
      return { sum: m.exports.add(2, 3), same: m.digest === digest };
    } catch (e) {
      return { code: e.code, message: e.message };
    }
  })()`);

test("a page's first load of a 1 MB module, requested while the runtime loads, verifies and runs", async () => {
  assert.deepEqual(await firstLoad({ filler: 1 << 20 }), { sum: 5, same: true });
});

test("a page's first load of a small module verifies and runs", async () => {
  assert.deepEqual(await firstLoad({ filler: 1 << 10 }), { sum: 5, same: true });
});

test("a page's first load of a body changed by one byte is HASH_MISMATCH", async () => {
  const result = await firstLoad({ filler: 1 << 20, tamper: true });
  assert.equal(result.code, "HASH_MISMATCH", JSON.stringify(result));
  assert.match(result.message, /blob:/);
});

test("a page's first load of a missing module is FETCH_FAILED naming HTTP 404", async () => {
  const result = await firstLoad({ filler: 16, url: "/no-such-module.wasm" });
  assert.equal(result.code, "FETCH_FAILED", JSON.stringify(result));
  assert.match(result.message, /no-such-module\.wasm.*HTTP 404/);
});

/**
 * In a fresh page with the runtime up: the page's `fetch` wrapped to record each request's URL
 * and signal, then `HotModule.load` of the add module (served from a `blob:` URL) with
 * `digest` (the module's own unless given) and `imports`: a later load, whose request the shim
 * makes as it is called.
 */
const laterLoad = ({ digest = null, imports = undefined }) =>
  env.evaluate("/tests/e2e/fixtures/blank.html", `(async () => {
    const { HotModule, initRuntime } = await import("/dist/index.js");
    await initRuntime();
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0,
      7, 7, 1, 3, 97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11]);
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const url = URL.createObjectURL(new Blob([bytes]));
    const requests = [];
    const real = window.fetch;
    window.fetch = (input, init) => {
      requests.push({ url: String(input), signal: init?.signal });
      return real(input, init);
    };
    const asked = ${JSON.stringify(digest)} ?? "sha256:" + Array.from(hash, (v) => v.toString(16).padStart(2, "0")).join("");
    try {
      const m = await HotModule.load({ url, digest: asked, imports: ${JSON.stringify(imports)} });
      return { sum: m.exports.add(2, 3), requests: requests.filter((r) => r.url === url).length };
    } catch (e) {
      await new Promise((ok) => setTimeout(ok, 0));
      const mine = requests.filter((r) => r.url === url);
      return { code: e.code, requests: mine.length, aborted: mine.every((r) => r.signal?.aborted === true) };
    } finally {
      window.fetch = real;
    }
  })()`);

test("a later load requests its module once, as load is called, and runs it", async () => {
  assert.deepEqual(await laterLoad({}), { sum: 5, requests: 1 });
});

test("a later load the runtime refuses before fetching aborts the request the shim made for it", async () => {
  const result = await laterLoad({ imports: 5 });
  assert.deepEqual(result, { code: "INVALID_OPTIONS", requests: 1, aborted: true });
});

test("a later load with a malformed digest is INVALID_DIGEST and sends no request", async () => {
  const result = await laterLoad({ digest: "sha256:not-hex" });
  assert.equal(result.code, "INVALID_DIGEST", JSON.stringify(result));
  assert.equal(result.requests, 0);
});
