// A page's first `load({ url })` requests its module beside the runtime's own wasm and hands
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
