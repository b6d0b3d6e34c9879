// Verification cannot be raced: bytes given as a view of a SharedArrayBuffer that a worker keeps
// rewriting are copied once, and that one copy is hashed, kept and compiled. Before the fix,
// about one load in eight accepted the digest of `add` and instantiated code that subtracts.
// Both of the runtime's hashing paths: a module of at most 64 KB is hashed in wasm from its copy
// in wasm memory, a larger one by WebCrypto, which takes a copy of its own.
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

for (const [name, filler] of [["hashed in wasm", 16 << 10], ["hashed by WebCrypto", 128 << 10]]) test(`a shared buffer rewritten during load never gets unverified code instantiated (${name})`, { timeout: 120_000 }, async () => {
  const tab = await env.page();
  try {
    // serve.mjs sends COOP/COEP, so the page is cross-origin isolated and has SharedArrayBuffer.
    await tab.page.goto(new URL("tests/e2e/fixtures/app.html", env.url).href);
    const tally = await tab.page.evaluate(async (filler) => {
      const { HotModule } = await import("/dist/index.js");
      // (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
      // and a custom section of `filler` bytes, so that each load takes a while.
      const head = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,
        0x03, 0x02, 0x01, 0x00,
        0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00,
        0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,
      ];
      const size = filler + 7; // the name's length byte and "filler"
      const custom = [0x00, 0x80 | (size & 0x7f), 0x80 | ((size >> 7) & 0x7f), size >> 14, 0x06, ...new TextEncoder().encode("filler")];
      const good = new Uint8Array(head.length + custom.length + filler);
      good.set(head);
      good.set(custom, head.length);
      const at = head.indexOf(0x6a, 30); // i32.add in add's body
      const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", good));
      const digest = "sha256:" + Array.from(hash, (v) => v.toString(16).padStart(2, "0")).join("");
      const shared = new Uint8Array(new SharedArrayBuffer(good.length));
      shared.set(good);
      const flipper = `onmessage = ({ data: { u, at } }) => { postMessage(0); for (;;) { u[at] = 0x6b; u[at] = 0x6a; } };`;
      const worker = new Worker(URL.createObjectURL(new Blob([flipper], { type: "text/javascript" })));
      await new Promise((ok) => {
        worker.onmessage = ok;
        worker.postMessage({ u: shared, at });
      });
      const tally = { add: 0, subtract: 0, refused: 0, other: [] };
      for (let i = 0; i < 300; i++) {
        try {
          const m = await HotModule.load({ bytes: shared, digest });
          if (m.exports.add(2, 3) === 5) tally.add++;
          else tally.subtract++;
          m.free();
        } catch (e) {
          if (e.code === "HASH_MISMATCH") tally.refused++;
          else tally.other.push(`${e.code}: ${e.message}`);
        }
      }
      worker.terminate();
      return tally;
    }, filler);
    assert.deepEqual(tally.other, [], "only HASH_MISMATCH refusals");
    assert.equal(tally.subtract, 0, `unverified code was instantiated: ${JSON.stringify(tally)}`);
    assert.ok(tally.refused > 0, `the race was exercised: ${JSON.stringify(tally)}`);
    assert.deepEqual(tab.errors.map(String), []);
  } finally {
    await tab.close();
  }
});
