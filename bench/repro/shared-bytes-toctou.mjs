// Reproducer: `HotModule.load({ bytes, digest })` can instantiate bytes that do not hash to
// `digest` when `bytes` is a view of a SharedArrayBuffer that another thread writes to.
//
//   node bench/repro/shared-bytes-toctou.mjs      (after the build; exit 1 = reproduced)
//
// For bytes in hand the runtime starts WebAssembly.compile(bytes) (which copies the bytes at
// that moment) and then copies the bytes again to hash them. A worker flipping one byte of
// `add`'s body between `i32.add` and `i32.sub` lands between the two copies now and then: the
// digest of the `add` version is accepted while the compiled and instantiated code subtracts.
// Ordinary ArrayBuffers cannot change between two synchronous copies; shared ones can.
// Fix: copy the bytes once (a non-shared copy), then hash and compile that same copy.
import { chromium } from "playwright-core";
import { startServer } from "../server.mjs";

const server = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
});
let tally;
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(server.url + "bench/page.html"); // cross-origin isolated: SharedArrayBuffer exists
  await page.waitForFunction(() => window.benchReady === true);
  tally = await page.evaluate(async () => {
    const { makeGuest, withSeed } = await import("/bench/guest.mjs");
    const { HotModule } = await import("/dist/index.js");
    const good = withSeed(makeGuest({ codeBytes: 10 << 10, stateBytes: 0 }), "toctou");
    // add's body: 0 locals, local.get 0, local.get 1, i32.add (0x6a), end
    const body = [0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b];
    let at = -1;
    for (let i = 0; at < 0 && i < good.length - body.length; i++) {
      if (body.every((b, k) => good[i + k] === b)) at = i + 5;
    }
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
    const tally = { loadedAdd: 0, loadedSubtract: 0, refused: 0 };
    for (let i = 0; i < 500 && tally.loadedSubtract < 3; i++) {
      try {
        const m = await HotModule.load({ bytes: shared, digest });
        if (m.exports.add(2, 3) === 5) tally.loadedAdd++;
        else tally.loadedSubtract++; // digest accepted, code not the one it names
        m.free();
      } catch {
        tally.refused++; // HASH_MISMATCH: correct
      }
    }
    worker.terminate();
    return tally;
  });
} finally {
  await browser.close();
  await server.close();
}
console.log(JSON.stringify(tally));
if (tally.loadedSubtract > 0) {
  console.log(`REPRODUCED: ${tally.loadedSubtract} load(s) accepted the digest of \`add\` and instantiated code that subtracts`);
  process.exit(1);
}
console.log("not reproduced in this run");
