// Component Model guests end to end, from the packed npm package in Chromium: the Rust counter
// components in examples/rust-component (built here with cargo for wasm32-wasip2), published
// by the CLI (which transpiles each with jco), loaded from the registry with
// preview2-shim's browser WASI, swapped with their state through save-state/load-state, and
// refused, with the old version still serving with its state, on every bad input: a
// breaking WIT change, tampered JS or core module, an entry missing its core modules, a
// load-state `err`, a trap in the start, a world that breaks the host's `expect.wit`. And the
// dev loop: `hotswap serve --watch` of a component file, whose rebuild an open page swaps in.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { hotswapServe, start } from "./harness.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const BUILD = join(ROOT, "www/build");
const GUESTS = join(BUILD, "examples/rust-component");
// Inside www/build/ (git-ignored), so that the test's static server serves them.
const REGISTRY = join(BUILD, "registry-components");
const PACKED = join(BUILD, "packed-components");

let env, cli;
before(async () => {
  execFileSync("bash", ["examples/rust-component/build.sh", GUESTS], { cwd: ROOT, stdio: "inherit" });
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0, "cargo build -p hotswap-cli");
  cli = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");
  // The shim as apps get it: the tarball `npm pack` makes, unpacked where the server serves it.
  rmSync(PACKED, { recursive: true, force: true });
  mkdirSync(PACKED, { recursive: true });
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", PACKED], { cwd: ROOT, encoding: "utf8" }));
  execFileSync("tar", ["-xzf", join(PACKED, filename), "-C", PACKED]);

  rmSync(REGISTRY, { recursive: true, force: true });
  publish("counter", "v1", "1.0.0");
  publish("counter", "v2", "1.1.0");
  publish("counter", "breaking", "2.0.0");
  publish("trapping", "v1", "1.0.0");
  publish("trapping", "trap-start", "1.0.1", trapStart());
  publish("refusing", "v1", "1.0.0");
  publish("watched", "v1", "1.0.0");
  publish("refusing", "v2-refuse-state", "1.1.0");
  env = await start();
});
after(async () => {
  await env?.stop();
  rmSync(REGISTRY, { recursive: true, force: true });
  rmSync(PACKED, { recursive: true, force: true });
});

function hotswap(args) {
  const run = spawnSync(cli, [...args, "--json"], { cwd: ROOT, encoding: "utf8" });
  return { status: run.status, json: JSON.parse(run.stdout || run.stderr || "null"), stderr: run.stderr };
}

function publish(name, guest, version, file = join(GUESTS, `counter-${guest}.component.wasm`)) {
  const run = hotswap(["publish", file, "--name", name, "--version", version, "--registry", REGISTRY]);
  assert.equal(run.status, 0, `publish ${guest} as ${name}@${version}: ${run.stderr}`);
  return run.json;
}

/**
 * A component whose core module's start function traps (tests/e2e/fixtures/trap-start.wat),
 * with the Rust counter's world: `jco parse` writes the module, `hotswap embed-wit` gives it
 * the world, `jco new` makes the component.
 */
function trapStart() {
  const jco = join(ROOT, "node_modules/.bin/jco");
  const core = join(GUESTS, "trap-start.core.wasm");
  const embedded = join(GUESTS, "trap-start.embedded.wasm");
  const component = join(GUESTS, "counter-trap-start.component.wasm");
  execFileSync(jco, ["parse", join(ROOT, "tests/e2e/fixtures/trap-start.wat"), "-o", core], { stdio: "inherit" });
  const wit = join(ROOT, "examples/rust-component/v1/wit/counter.wit");
  const embed = hotswap(["embed-wit", core, "--wit", wit, "--output", embedded]);
  assert.equal(embed.status, 0, embed.stderr);
  execFileSync(jco, ["new", embedded, "-o", component], { stdio: "inherit" });
  return component;
}

/** A package whose index is `counter`'s, changed by `change(index)`. */
function variant(name, change) {
  const index = JSON.parse(readFileSync(join(REGISTRY, "packages/counter/index.json"), "utf8"));
  index.name = name;
  change(index);
  mkdirSync(join(REGISTRY, "packages", name), { recursive: true });
  writeFileSync(join(REGISTRY, "packages", name, "index.json"), JSON.stringify(index));
}

// Runs `body` in a fresh page with `HotModule` (from the packed package's `entry`),
// `imports` (preview2-shim's browser WASI, as `new WASIShim().getImportObject()` gives it),
// `from(name, range)` (the registry options), `failure(promise)` (`code: message` of its
// rejection) and `serving(m)` (what `m` serves: version and counts) in scope.
const inPage = (body, entry = "index") =>
  env.evaluate("tests/e2e/fixtures/component.html", `(async () => {
    const { HotModule } = await import("/www/build/packed-components/package/dist/${entry}.js");
    const { WASIShim } = await import("@bytecodealliance/preview2-shim/instantiation");
    const imports = new WASIShim().getImportObject();
    const from = (name, range) => ({ registry: "/www/build/registry-components/", name, range, imports });
    const failure = (promise) => promise.then(
      () => "resolved", (e) => (e instanceof Error ? "" : "not an Error: ") + e.code + ": " + e.message);
    const serving = (m) => ({ version: m.version, entries: m.exports.entries() });
    ${body}
  })()`);

test("a published component's entry names the component, its jco JS and every core module", () => {
  const index = JSON.parse(readFileSync(join(REGISTRY, "packages/counter/index.json"), "utf8"));
  const v1 = index.versions[0];
  assert.equal(v1.glue.kind, "jco");
  assert.ok(v1.cores.length >= 1 && v1.cores.every((c) => /^counter\.core\d*\.wasm$/.test(c.name)), JSON.stringify(v1.cores));
  for (const blob of [v1, v1.glue, ...v1.cores]) {
    assert.equal(readFileSync(join(REGISTRY, "blobs/sha256", blob.digest.slice(7))).length, blob.size);
  }
});

test("a breaking WIT change published as a minor is refused by the CLI naming the item", () => {
  publish("minor", "v1", "1.0.0");
  const file = join(GUESTS, "counter-breaking.component.wasm");
  const run = hotswap(["publish", file, "--name", "minor", "--version", "1.1.0", "--registry", REGISTRY]);
  assert.equal(run.status, 1, run.stderr);
  assert.equal(run.json.error.code, "SEMVER_VIOLATION");
  assert.match(run.json.error.message, /1\.0\.0 => 1\.1\.0 is a minor bump, but the WIT change from 1\.0\.0 is breaking/);
  assert.match(run.json.error.items.join("\n"), /export `add` has type `func\(key: string, by: u64\) -> u64`/);
});

test("a component's lifted exports keep working across a swap that carries its state", async () => {
  const result = await inPage(`
    const m = await HotModule.load(from("counter", "=1.0.0"));
    const add = m.exports.add;
    add("tea", 2); add("milk", 1);
    const applied = m.exports.apply({ tag: "increment", val: "tea" });
    m.exports.apply({ tag: "set", val: { key: "max", count: 4294967295 } });
    let err;
    try { m.exports.apply({ tag: "increment", val: "max" }); } catch (e) { err = e.payload; }
    const before = { ...serving(m), applied, err, exports: Object.keys(m.exports).sort() };
    const report = await m.swap({ version: "1.1.0" });
    return {
      before,
      report: { from: report.fromVersion, to: report.toVersion, guest: report.guest, bytes: report.stateBytes > 0 },
      after: { ...serving(m), add: add("tea", 1), removed: m.exports.remove("milk"), tea: m.exports.get("tea") },
    };
  `);
  const entries = [{ key: "max", count: 4294967295 }, { key: "milk", count: 1 }, { key: "tea", count: 3 }];
  assert.deepEqual(result.before, {
    version: "1.0.0", entries, applied: 3, err: "`max` would overflow",
    exports: ["add", "apply", "entries", "get"],
  });
  assert.deepEqual(result.report, { from: "1.0.0", to: "1.1.0", guest: "stateful", bytes: true });
  // The state came over; a function captured from v1 reaches v2.
  assert.deepEqual(result.after, { version: "1.1.0", entries, add: 4, removed: true, tea: 4 });
});

test("a major WIT change is refused without consent, and v1 keeps serving with its state", async () => {
  const result = await inPage(`
    const m = await HotModule.load(from("counter", "=1.0.0"));
    m.exports.add("tea", 5);
    const message = await failure(m.swap({ version: "2.0.0" }));
    return { message, ...serving(m) };
  `);
  assert.match(result.message, /^MAJOR_UPGRADE_REFUSED: /);
  assert.deepEqual(result.entries, [{ key: "tea", count: 5 }]);
  assert.equal(result.version, "1.0.0");
});

test("tampered JS, a tampered core module and an entry without its cores are refused, and v1 serves on", async () => {
  const index = JSON.parse(readFileSync(join(REGISTRY, "packages/counter/index.json"), "utf8"));
  const v2 = index.versions.find((v) => v.version === "1.1.0");
  variant("counter-no-cores", (index) => { delete index.versions.find((v) => v.version === "1.1.0").cores; });
  const result = await inPage(`
    const m = await HotModule.load(from("counter", "=1.0.0"));
    m.exports.add("tea", 1);
    // A registry that serves other bytes than the index names for one blob.
    const tampering = (hex) => async (url, init) => {
      const response = await fetch(url, init);
      if (!String(url).endsWith(hex)) return response;
      const bytes = new Uint8Array(await response.arrayBuffer());
      bytes[bytes.length - 1] ^= 1;
      return new Response(bytes, { status: 200 });
    };
    const js = await failure(m.swap({ version: "1.1.0", fetch: tampering(${JSON.stringify(v2.glue.digest.slice(7))}) }));
    const core = await failure(m.swap({ version: "1.1.0", fetch: tampering(${JSON.stringify(v2.cores[0].digest.slice(7))}) }));
    const other = await HotModule.load(from("counter", "=1.0.0"));
    const noCores = await failure(HotModule.load(from("counter-no-cores", "=1.1.0")));
    return { js, core, noCores, ...serving(m) };
  `);
  assert.match(result.js, new RegExp(`^HASH_MISMATCH: .*glue .*${v2.glue.digest.slice(7)}`));
  assert.match(result.core, new RegExp(`^HASH_MISMATCH: .*${v2.cores[0].digest.slice(7)}`));
  assert.match(result.noCores, /^INVALID_INDEX: .*version 1\.1\.0: the component's entry names no core modules/);
  assert.deepEqual({ version: result.version, entries: result.entries }, { version: "1.0.0", entries: [{ key: "tea", count: 1 }] });
});

test("a load-state err is STATE_LOAD_FAILED with the guest's string, and v1 serves on", async () => {
  const result = await inPage(`
    const m = await HotModule.load(from("refusing", "=1.0.0"));
    m.exports.add("tea", 3);
    const message = await failure(m.swap({ version: "1.1.0" }));
    return { message, ...serving(m) };
  `);
  assert.match(result.message, /^STATE_LOAD_FAILED: .*this build refuses every state \(\d+ bytes\)/);
  assert.deepEqual(result.entries, [{ key: "tea", count: 3 }]);
  assert.equal(result.version, "1.0.0");
});

test("a component that traps in its start is INSTANTIATE_FAILED, and v1 serves on", async () => {
  const result = await inPage(`
    const m = await HotModule.load(from("trapping", "=1.0.0"));
    m.exports.add("tea", 2);
    const message = await failure(m.swap({ version: "1.0.1" }));
    return { message, ...serving(m) };
  `);
  assert.match(result.message, /^INSTANTIATE_FAILED: .*unreachable/);
  assert.deepEqual(result.entries, [{ key: "tea", count: 2 }]);
});

test("a bare component loaded by URL is UNSUPPORTED_COMPONENT saying how to publish it", async () => {
  const bytes = readFileSync(join(GUESTS, "counter-v1.component.wasm"));
  const digest = "sha256:" + (await import("node:crypto")).createHash("sha256").update(bytes).digest("hex");
  const result = await inPage(`
    return failure(HotModule.load({ url: "/www/build/examples/rust-component/counter-v1.component.wasm", digest: ${JSON.stringify(digest)} }));
  `);
  assert.match(result, /^UNSUPPORTED_COMPONENT: .*hotswap publish .*registry/);
});

test("the wit build gates a component on the host's expect.wit, naming the WIT item", async () => {
  const expect = `package hotswap:counter; world counter { export add: func(key: string, by: u32) -> u32; export remove: func(key: string) -> bool; }`;
  const result = await inPage(`
    const expect = { wit: ${JSON.stringify(expect)} };
    const v1 = await failure(HotModule.load({ ...from("counter", "=1.0.0"), expect }));
    const m = await HotModule.load({ ...from("counter", "=1.1.0"), expect });
    m.exports.add("tea", 4);
    const major = await failure(m.swap({ version: "2.0.0", policy: { allowMajor: true }, expect }));
    return { v1, major, ...serving(m) };
  `, "wit");
  assert.match(result.v1, /^INCOMPATIBLE_INTERFACE: .*export `remove` is missing/);
  assert.match(result.major, /^INCOMPATIBLE_INTERFACE: .*export `add` has type `func\(key: string, by: u64\) -> u64`/);
  assert.deepEqual({ version: result.version, entries: result.entries }, { version: "1.1.0", entries: [{ key: "tea", count: 4 }] });
});

test("a watch delivers a newly published component version, with its state", async () => {
  const tab = await env.page();
  try {
    await tab.page.goto(new URL("tests/e2e/fixtures/component.html", env.url).href);
    await tab.page.evaluate(async () => {
      const { HotModule } = await import("/www/build/packed-components/package/dist/updates.js");
      const { WASIShim } = await import("@bytecodealliance/preview2-shim/instantiation");
      const imports = new WASIShim().getImportObject();
      const m = await HotModule.load({ registry: "/www/build/registry-components/", name: "watched", range: "^1", imports });
      m.exports.add("tea", 6);
      const watcher = m.watch({ interval: 100, shared: false });
      window.watched = new Promise((done) => {
        watcher.addEventListener("applied", () => done({ version: m.version, tea: m.exports.get("tea"), remove: typeof m.exports.remove }));
        watcher.addEventListener("rejected", (e) => done({ rejected: `${e.detail.code}: ${e.detail.message}` }));
        setTimeout(() => done({ timeout: true }), 20_000);
      });
    });
    publish("watched", "v2", "1.1.0");
    const result = await tab.page.evaluate(() => window.watched);
    assert.deepEqual(result, { version: "1.1.0", tea: 6, remove: "function" });
  } finally {
    await tab.close();
  }
});

test("a component rolls back to the version before with the current state, and swaps forward again", async () => {
  const result = await inPage(`
    const m = await HotModule.load(from("counter", "=1.0.0"));
    m.exports.add("tea", 1);
    await m.swap({ version: "1.1.0" });
    m.exports.add("tea", 2);
    const report = await m.rollback();
    const back = { ...serving(m), restore: report.rollback.restore, remove: typeof m.exports.remove };
    const again = await m.swap({ version: "1.1.0" });
    return { back, again: { version: m.version, entries: m.exports.entries(), from: again.fromVersion } };
  `);
  assert.deepEqual(result.back, { version: "1.0.0", entries: [{ key: "tea", count: 3 }], restore: "state", remove: "undefined" });
  assert.deepEqual(result.again, { version: "1.1.0", entries: [{ key: "tea", count: 3 }], from: "1.0.0" });
});

test("hotswap serve --watch publishes a rebuilt component and the open page swaps it in with its state", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hotswap-component-devloop-"));
  const watched = join(dir, "counter.component.wasm");
  const served = await hotswapServe(cli, join(dir, "registry"), watched, "counter");
  const tab = await env.page();
  try {
    copyFileSync(join(GUESTS, "counter-v1.component.wasm"), watched);
    const first = await served.next("published");
    assert.equal(first.published.kind, "component", JSON.stringify(first));
    assert.equal(first.published.glue.name, "counter.js");

    await tab.page.goto(new URL("tests/e2e/fixtures/component.html", env.url).href);
    const loaded = await tab.page.evaluate(async (registry) => {
      const { HotModule } = await import("/www/build/packed-components/package/dist/updates.js");
      const { WASIShim } = await import("@bytecodealliance/preview2-shim/instantiation");
      const imports = new WASIShim().getImportObject();
      const m = await HotModule.load({ registry, name: "counter", range: "*", imports });
      m.exports.add("tea", 4);
      const watcher = m.watch({ events: true, interval: 600_000 });
      window.devloop = new Promise((done) => {
        watcher.addEventListener("applied", () =>
          done({ version: m.version, tea: m.exports.get("tea"), removed: m.exports.remove("tea"), after: m.exports.get("tea") }),
        );
        watcher.addEventListener("rejected", (e) => done({ rejected: `${e.detail.code}: ${e.detail.message}` }));
        watcher.addEventListener("error", (e) => done({ error: `${e.detail.code}: ${e.detail.message}` }));
      });
      return { version: m.version, digest: m.digest };
    }, served.url);
    assert.deepEqual(loaded, { version: first.published.version, digest: first.published.digest });
    // Only once the page's event stream is open is the rebuild announced to it.
    await served.next("stream");

    // The rebuild: v2 (adds `remove`, a compatible WIT change) over the watched file.
    copyFileSync(join(GUESTS, "counter-v2.component.wasm"), watched);
    const second = await served.next("published");
    assert.equal(second.published.previous.severity, "additive", JSON.stringify(second));
    const result = await tab.page.evaluate(() => window.devloop);
    assert.deepEqual(result, { version: second.published.version, tea: 4, removed: true, after: 0 });
    assert.deepEqual(tab.errors.map(String), [], "uncaught errors on the page");
    console.log(`component dev loop: the rebuild published in ${second.ms.toFixed(0)} ms (jco's transpile included)`);
  } finally {
    await tab.close();
    served.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
