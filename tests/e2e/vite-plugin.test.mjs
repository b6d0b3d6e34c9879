// wasm-hotswap/vite, end to end, from the packed npm tarball: a small Vite app
// (fixtures/vite-app, copied to a temporary folder with the tarball unpacked in its
// node_modules and the repo's Vite beside it) whose Rust wasm-bindgen guest the plugin builds.
// In `vite dev` (Vite's createServer), the open page swaps each edit of the Rust source in with
// its state and without a reload; a compile error and a refused swap show in Vite's error
// overlay while the old version keeps serving. `vite build` emits the registry into dist/, and
// the built app loads from it, verified.
//
// Prints the time from saving the Rust file to the swap applied, with where it went (cargo,
// wasm-bindgen, publish, the page's swap, the rest: noticing the change and the HMR message),
// against Vite's own full reload of the same app after a JS edit. Asserts nothing about it.
//
//   node --test tests/e2e/vite-plugin.test.mjs
//   VITE_RUNS=5 node --test tests/e2e/vite-plugin.test.mjs     five edits of each kind, and medians
//   VITE_PACKAGE=vite7 node --test tests/e2e/vite-plugin.test.mjs   on Vite 7 instead of 8
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { start } from "./harness.mjs";
import { serve } from "../../scripts/serve.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const RUNS = Math.max(1, Number(process.env.VITE_RUNS ?? 1));
// The repo has Vite 8 as `vite` and Vite 7 as `vite7`: VITE_PACKAGE=vite7 runs the test on 7.
const VITE = process.env.VITE_PACKAGE ?? "vite";
const { build, createServer, version: viteVersion } = await import(VITE);
const PATIENCE = 180_000; // the first cargo build of the guest may compile its dependencies

let env;
let app; // the temporary app folder
let lib; // its guest's src/lib.rs
let original;

before(async () => {
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0, "cargo build -p hotswap-cli");
  process.env.HOTSWAP_CLI = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");

  app = mkdtempSync(join(tmpdir(), "wasm-hotswap-vite-"));
  cpSync(join(ROOT, "tests/e2e/fixtures/vite-app"), app, { recursive: true });
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", app], { cwd: ROOT, encoding: "utf8" }));
  const installed = join(app, "node_modules", "wasm-hotswap");
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["-xzf", join(app, filename), "-C", installed, "--strip-components=1"]);
  symlinkSync(join(ROOT, "node_modules", VITE), join(app, "node_modules", "vite"));
  // The copied crate: hotswap-guest from this repo, and the repo's lock (its wasm-bindgen).
  const manifest = join(app, "guest", "Cargo.toml");
  writeFileSync(manifest, readFileSync(manifest, "utf8").replace('path = "../../../../../guest"', `path = ${JSON.stringify(join(ROOT, "guest"))}`));
  copyFileSync(join(ROOT, "Cargo.lock"), join(app, "guest", "Cargo.lock"));
  // The prebuilt guest's folder: the demo's notes v1, as wasm-bindgen wrote them.
  cpSync(join(ROOT, "www/build/notes_v1"), join(app, "prebuilt"), { recursive: true });
  lib = join(app, "guest", "src", "lib.rs");
  original = readFileSync(lib, "utf8");
  env = await start();
});

after(async () => {
  await env?.stop();
  if (app) rmSync(app, { recursive: true, force: true });
});

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (t) => `${Math.round(t)} ms`;

/** The text of Vite's error overlay on the page, or null without one. */
const overlayText = (page) =>
  page.evaluate(() => document.querySelector("vite-error-overlay")?.shadowRoot?.textContent ?? null);

test("in vite dev, a Rust edit swaps in with the page's state; errors go to the overlay", { timeout: 600_000 }, async () => {
  const server = await createServer({
    root: app,
    configFile: join(app, "vite.config.mjs"),
    server: { port: 0, host: "127.0.0.1", strictPort: false },
    clearScreen: false,
    logLevel: "info",
  });
  await server.listen();
  const url = `http://127.0.0.1:${server.httpServer.address().port}/`;
  const tab = await env.page();
  const { page } = tab;
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.app, null, { timeout: PATIENCE });
    assert.deepEqual(await page.evaluate(() => [window.app.m.version, window.app.m.exports.greeting()]), ["1.0.0", "hello from v1"]);

    // Vite's own loop for comparison: a JS edit without HMR handling is a full reload, and the
    // page loads the guest again (its state is gone: that is what a reload does).
    const reloads = [];
    const mainJs = join(app, "main.js");
    for (let i = 0; i < RUNS; i++) {
      await page.evaluate(() => (window.marker = "before reload"));
      const saved = Date.now();
      writeFileSync(mainJs, readFileSync(mainJs, "utf8") + `\n// edit ${i}\n`);
      await page.waitForFunction(() => window.app && window.marker === undefined, null, { timeout: PATIENCE });
      reloads.push((await page.evaluate(() => window.app.loadedAt)) - saved);
    }

    // State, and a marker a reload would lose.
    await page.evaluate(() => {
      window.app.m.exports.add("milk");
      window.app.m.exports.add("eggs");
      window.marker = "kept";
    });

    const rounds = [];
    for (let i = 1; i <= RUNS; i++) {
      const text = `hello, swapped ${i}`;
      const saved = Date.now();
      writeFileSync(lib, original.replace("hello from v1", text));
      await page.waitForFunction((n) => window.app.swaps.length === n, i, { timeout: PATIENCE });
      const got = await page.evaluate(() => ({
        marker: window.marker,
        version: window.app.m.version,
        greeting: window.app.m.exports.greeting(),
        list: window.app.m.exports.list(),
        heading: document.querySelector("#greeting").textContent,
        swap: window.app.swaps.at(-1),
      }));
      assert.equal(got.marker, "kept", "no full reload");
      assert.equal(got.version, `1.0.${i}`, "each rebuild is the next patch version");
      assert.equal(got.greeting, text);
      assert.equal(got.heading, text);
      assert.deepEqual(got.list, ["milk", "eggs"], "the notes survived the swap");
      const { timings, changed } = got.swap.published;
      rounds.push({
        total: got.swap.at - saved,
        notice: changed - saved,
        cargo: timings.cargo,
        bindgen: timings.bindgen,
        publish: timings.publish,
        swap: got.swap.swap,
      });
    }

    // A compile error: in the overlay, and the page keeps serving what it had.
    const swapped = `hello, swapped ${RUNS}`;
    writeFileSync(lib, original.replace('"hello from v1".into()', 'let broken: u32 = "not a number";\n    broken'));
    await page.waitForFunction(() => document.querySelector("vite-error-overlay"), null, { timeout: PATIENCE });
    const compile = await overlayText(page);
    assert.match(compile, /wasm-hotswap: notes: cargo failed/);
    assert.match(compile, /error\[E0308\]: mismatched types/);
    assert.deepEqual(
      await page.evaluate(() => [window.marker, window.app.m.version, window.app.m.exports.greeting(), window.app.m.exports.list()]),
      ["kept", `1.0.${RUNS}`, swapped, ["milk", "eggs"]],
    );

    // A refused swap: removing `list` makes the next version 2.0.0, which the page's policy
    // (no allowMajor) refuses; the overlay says so, and the page keeps its version.
    await page.evaluate(() => document.querySelector("vite-error-overlay")?.close());
    writeFileSync(lib, original.replace("hello from v1", swapped).replace(/\/\/\/ The notes, oldest first\.[\s\S]*?\n}\n/, ""));
    await page.waitForFunction(() => window.app.errors.length === 1, null, { timeout: PATIENCE });
    await page.waitForFunction(() => document.querySelector("vite-error-overlay"), null, { timeout: 10_000 });
    assert.deepEqual(await page.evaluate(() => window.app.errors[0].code), "MAJOR_UPGRADE_REFUSED");
    assert.match(await overlayText(page), /the page refused notes@2\.0\.0[\s\S]*MAJOR_UPGRADE_REFUSED/);
    assert.deepEqual(
      await page.evaluate(() => [window.marker, window.app.m.version, window.app.m.exports.list()]),
      ["kept", `1.0.${RUNS}`, ["milk", "eggs"]],
    );
    assert.deepEqual(tab.errors.map(String), [], "no uncaught page error");

    // A guest the plugin does not build: its wasm-bindgen folder rewritten (v2 over v1) swaps in.
    await page.goto(new URL("prebuilt.html", url).href);
    await page.waitForFunction(() => window.app, null, { timeout: 30_000 });
    await page.evaluate(() => (window.app.m.exports.add("kept"), (window.marker = "kept")));
    copyFileSync(join(ROOT, "www/build/notes_v2/notes_v2.js"), join(app, "prebuilt", "notes_v1.js"));
    copyFileSync(join(ROOT, "www/build/notes_v2/notes_v2_bg.wasm"), join(app, "prebuilt", "notes_v1_bg.wasm"));
    await page.waitForFunction(() => window.app.swaps.length === 1, null, { timeout: 30_000 });
    assert.deepEqual(
      await page.evaluate(() => [window.marker, window.app.swaps, window.app.m.exports.list(), typeof window.app.m.exports.pin, window.app.errors]),
      ["kept", ["1.1.0"], ["kept"], "function", []],
      "v2 (an added export: 1.1.0) swapped in with the notes",
    );
    assert.deepEqual(tab.errors.map(String), [], "no uncaught page error");

    const pick = (key) => median(rounds.map((r) => r[key]));
    const rest = pick("total") - pick("notice") - pick("cargo") - pick("bindgen") - pick("publish") - pick("swap");
    console.log(
      `save-to-swap (Rust edit, median of ${RUNS}): ${ms(pick("total"))} = notice ${ms(pick("notice"))} + cargo ${ms(pick("cargo"))}` +
        ` + wasm-bindgen ${ms(pick("bindgen"))} + publish ${ms(pick("publish"))} + swap ${ms(pick("swap"))} + HMR message and fetch ${ms(rest)}\n` +
        `Vite ${viteVersion} full reload (JS edit, median of ${RUNS}): ${ms(median(reloads))} from save to the guest loaded again (state lost)\n` +
        `rounds: ${JSON.stringify(rounds.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v)]))))}`,
    );
  } finally {
    await tab.close();
    await server.close();
    writeFileSync(lib, original);
  }
});

test("vite build emits the guests as a static registry that the built app loads, verified, its runtime's wasm preloaded", { timeout: 600_000 }, async () => {
  const outDir = join(app, "dist");
  await build({ root: app, configFile: join(app, "vite.config.mjs"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
  // Each page's preload hint names the runtime's own wasm, as emitted (the package's bytes).
  const runtimeWasm = readFileSync(join(app, "node_modules/wasm-hotswap/pkg/wasm_hotswap_bg.wasm"));
  const preloads = {};
  for (const page of ["index.html", "prebuilt.html"]) {
    const hints = [...readFileSync(join(outDir, page), "utf8").matchAll(/<link rel="preload" as="fetch" crossorigin href="([^"]+)">/g)].map((m) => m[1]);
    assert.equal(hints.length, 1, `${page}: one preload hint for the runtime's wasm`);
    assert.match(hints[0], /^\/assets\/wasm_hotswap_bg-[^/]+\.wasm$/, `${page}: the emitted runtime wasm`);
    assert.ok(readFileSync(join(outDir, hints[0])).equals(runtimeWasm), `${page}: the hint's file is the runtime's wasm`);
    preloads[page] = hints[0];
  }
  const registry = join(outDir, "wasm-hotswap");
  assert.ok(readdirSync(join(registry, "packages")).includes("prebuilt"), "the prebuilt guest is in the registry too");
  const index = JSON.parse(readFileSync(join(registry, "packages/notes/index.json"), "utf8"));
  assert.deepEqual(index.versions.map((v) => v.version), ["1.0.0"], "a fresh registry: the crate's version");
  const [entry] = index.versions;
  const blobs = readdirSync(join(registry, "blobs/sha256"));
  for (const digest of [entry.digest, entry.glue.digest]) {
    const hex = digest.replace("sha256:", "");
    assert.ok(blobs.includes(hex), `blob of ${digest} emitted`);
    assert.equal(createHash("sha256").update(readFileSync(join(registry, "blobs/sha256", hex))).digest("hex"), hex);
  }

  const served = await serve({ root: outDir, port: 0 });
  const tab = await env.page();
  try {
    await tab.page.goto(new URL("index.html", served.url).href);
    await tab.page.waitForFunction(() => window.app, null, { timeout: 30_000 });
    const got = await tab.page.evaluate(() => ({
      version: window.app.m.version,
      digest: window.app.m.digest,
      greeting: document.querySelector("#greeting").textContent,
      added: window.app.m.exports.add("milk"),
    }));
    assert.deepEqual(got, { version: "1.0.0", digest: entry.digest, greeting: "hello from v1", added: 1 });
    // The runtime's own request took the preload over: one download of its wasm, the link's.
    const requests = await tab.page.evaluate(
      (file) => performance.getEntriesByType("resource").filter((e) => new URL(e.name).pathname === file).map((e) => e.initiatorType),
      preloads["index.html"],
    );
    assert.deepEqual(requests, ["link"], "the runtime's wasm was requested once, by the preload hint");
    assert.deepEqual(tab.errors.map(String), [], "no uncaught page error");
  } finally {
    await tab.close();
    await served.close();
  }
});
