// The packed package inside Web Workers in Chromium: a classic dedicated worker, a module
// worker and a shared worker (tests/e2e/fixtures/worker.js) each load a counter, swap it with
// its count (persisted in IndexedDB, which a second worker restores), refuse a tampered swap
// with the old version still serving, load it from a registry and watch it, swapping when the
// CLI publishes a new version. A module service worker (tests/e2e/fixtures/service-worker.js,
// static imports only) loads and swaps. The page drives each worker through the worker split
// of examples/worker-split/ (the recipe in the README), so the recipe is tested with them.
//
//   node --test tests/e2e/workers.test.mjs      (after `bash scripts/build.sh`)
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { start } from "./harness.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const BUILD = join(ROOT, "www/build");
// Inside www/build/ (git-ignored), so that the test's static server serves them.
const REGISTRY = join(BUILD, "registry-workers");
const PACKED = join(BUILD, "packed-workers");
const SHIM = "/www/build/packed-workers/package/dist/updates.js";

let env, cli, manifest;
before(async () => {
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0, "cargo build -p hotswap-cli");
  cli = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");
  manifest = JSON.parse(readFileSync(join(BUILD, "manifest.json"), "utf8"));
  // The shim as apps get it: the tarball `npm pack` makes, unpacked where the server serves it.
  rmSync(PACKED, { recursive: true, force: true });
  mkdirSync(PACKED, { recursive: true });
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", PACKED], { cwd: ROOT, encoding: "utf8" }));
  execFileSync("tar", ["-xzf", join(PACKED, filename), "-C", PACKED]);
  rmSync(REGISTRY, { recursive: true, force: true });
  env = await start();
});
after(async () => {
  await env?.stop();
  rmSync(REGISTRY, { recursive: true, force: true });
  rmSync(PACKED, { recursive: true, force: true });
});

function publish(name, guest, version) {
  const run = spawnSync(cli, ["publish", "--json", join(BUILD, `counter-${guest}.wasm`), "--name", name, "--version", version, "--registry", REGISTRY], { encoding: "utf8" });
  assert.equal(run.status, 0, `publish ${name}@${version}: ${run.stderr}`);
}

describe("Web Workers", { timeout: 180_000 }, () => {
  for (const kind of ["classic", "module", "shared"]) {
    test(`in a ${kind} worker a module loads, swaps with its state, persists it, refuses a bad swap and watches a registry`, async () => {
      const name = `workers/${kind}`;
      publish(name, "v1", "1.0.0");
      const counter = (v) => ({ url: new URL(`www/${manifest.counter[v].url}`, env.url).href, digest: manifest.counter[v].digest });
      const tab = await env.page();
      try {
        await tab.page.goto(new URL("tests/e2e/fixtures/workers.html", env.url).href);
        await tab.page.waitForFunction(() => window.ready === true);
        const args = { kind, shim: SHIM, v1: counter("v1"), v2: counter("v2"), registry: new URL("www/build/registry-workers/", env.url).href, name };
        const inWorker = await tab.page.evaluate(async ({ kind, shim, v1, v2, registry, name }) => {
          const remote = window.openWorker(kind, shim);
          const out = {};
          const persist = { key: `workers-${kind}` };
          out.loaded = (await remote.load({ ...v1, persist })).version;
          out.count = await remote.call("increment", 2);
          const persisted = new Promise((resolve) => remote.addEventListener("persisted", (e) => resolve(e.detail)));
          const swapped = await remote.swap(v2);
          out.swapped = { from: swapped.from, to: swapped.to, count: await remote.call("get") };
          // The snapshot taken after the swap is in the worker's IndexedDB: another worker of
          // the same kind starts from it (a worker has no localStorage and no `pagehide`).
          out.persisted = (await persisted).version;
          const second = window.openWorker(kind, shim, `${kind}-2`);
          out.restored = (await second.load({ ...v2, persist })).version;
          out.restoredCount = await second.call("get");
          try {
            await remote.swap({ url: v1.url, digest: v2.digest });
            out.refused = { swapped: true };
          } catch (e) {
            out.refused = { code: e.code, serving: (await remote.status()).version, count: await remote.call("get") };
          }
          out.registry = (await remote.load({ registry, name, range: "^1" })).version;
          await remote.call("increment", 3);
          await remote.watch({ interval: 200 });
          window.applied = new Promise((resolve) => remote.addEventListener("applied", (e) => resolve(e.detail)));
          window.remote = remote;
          return out;
        }, args);
        assert.deepEqual(inWorker, {
          loaded: "1.0.0",
          count: 2,
          swapped: { from: "1.0.0", to: "1.1.0", count: 2 },
          persisted: "1.1.0",
          restored: "1.1.0",
          restoredCount: 2,
          refused: { code: "HASH_MISMATCH", serving: "1.1.0", count: 2 },
          registry: "1.0.0",
        });
        publish(name, "v2", "1.1.0");
        const watched = await tab.page.evaluate(async () => {
          const applied = await Promise.race([window.applied, new Promise((_, fail) => setTimeout(() => fail(new Error("no `applied` within 15 s")), 15_000))]);
          const { version, watch } = await window.remote.status();
          return { applied: applied.version, serving: version, watch, count: await window.remote.call("get") };
        });
        // The watch holds the Web Lock of its package (the worker's `navigator.locks`).
        assert.deepEqual(watched, { applied: "1.1.0", serving: "1.1.0", watch: "leader", count: 3 });
        assert.deepEqual(tab.errors.map(String), [], "no uncaught page error");
      } finally {
        await tab.close();
      }
    });
  }

  test("in a module service worker a module loads and swaps with its state, imported statically", async () => {
    const counter = (v) => ({ url: new URL(`www/${manifest.counter[v].url}`, env.url).href, digest: manifest.counter[v].digest });
    const tab = await env.page();
    try {
      await tab.page.goto(new URL("tests/e2e/fixtures/workers.html", env.url).href);
      await tab.page.waitForFunction(() => window.ready === true);
      const result = await tab.page.evaluate(async ({ v1, v2 }) => {
        const remote = await window.openServiceWorker();
        const out = { loaded: (await remote.load(v1)).version, count: await remote.call("increment", 4) };
        const swapped = await remote.swap(v2);
        out.swapped = { from: swapped.from, to: swapped.to, count: await remote.call("get") };
        return out;
      }, { v1: counter("v1"), v2: counter("v2") });
      assert.deepEqual(result, { loaded: "1.0.0", count: 4, swapped: { from: "1.0.0", to: "1.1.0", count: 4 } });
      assert.deepEqual(tab.errors.map(String), [], "no uncaught page error");
    } finally {
      await tab.close();
    }
  });
});
