// AssemblyScript guests through their `asc --bindings raw` glue, end to end from the packed npm
// package in Chromium: the tally in examples/assemblyscript-glue-counter (built here with npm's
// asc), published by the CLI with its JS glue (recognized as AssemblyScript's by its text),
// loaded from the registry, swapped with its state through the glue-level
// save_state(): Uint8Array / load_state(Uint8Array), its string API lifted by the bindings;
// and refused, with the old version serving on with its state, on a state the new version's
// load_state throws on, a minor version that drops exports, and tampered glue.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { start } from "./harness.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const BUILD = join(ROOT, "www/build");
const GUESTS = join(BUILD, "examples/assemblyscript-glue-counter");
// Inside www/build/ (git-ignored), so that the test's static server serves them.
const REGISTRY = join(BUILD, "registry-assemblyscript");
const PACKED = join(BUILD, "packed-assemblyscript");

let env, cli;
before(async () => {
  execFileSync("node", ["examples/assemblyscript-glue-counter/build.mjs", GUESTS], { cwd: ROOT, stdio: "inherit" });
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0, "cargo build -p hotswap-cli");
  cli = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");
  // The shim as apps get it: the tarball `npm pack` makes, unpacked where the server serves it.
  rmSync(PACKED, { recursive: true, force: true });
  mkdirSync(PACKED, { recursive: true });
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", PACKED], { cwd: ROOT, encoding: "utf8" }));
  execFileSync("tar", ["-xzf", join(PACKED, filename), "-C", PACKED]);

  rmSync(REGISTRY, { recursive: true, force: true });
  publish("tally", "v1", "1.0.0");
  publish("tally", "v2", "1.1.0");
  publish("tally", "v2-forgetful", "1.2.0");
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

function file(guest, ext) {
  return join(GUESTS, `tally-${guest}.${ext}`);
}

function publishRun(name, guest, version) {
  return hotswap(["publish", file(guest, "wasm"), "--glue", file(guest, "js"), "--name", name, "--version", version, "--registry", REGISTRY]);
}

function publish(name, guest, version) {
  const run = publishRun(name, guest, version);
  assert.equal(run.status, 0, `publish ${guest} as ${name}@${version}: ${run.stderr}`);
  return run.json;
}

function readIndex(name) {
  return JSON.parse(readFileSync(join(REGISTRY, "packages", name, "index.json"), "utf8"));
}

/** Writes the index of package `name` with `versions`. */
function writeIndex(name, versions) {
  mkdirSync(join(REGISTRY, "packages", name), { recursive: true });
  writeFileSync(join(REGISTRY, "packages", name, "index.json"), JSON.stringify({ name, versions }));
}

function digestOf(path) {
  return "sha256:" + createHash("sha256").update(readFileSync(path)).digest("hex");
}

// Runs `body` in a fresh page with `HotModule` (from the packed package), `from(name, range)`
// (the registry options), `failure(promise)` (`code: message` of its rejection) and
// `serving(m)` (what `m` serves: its version and tea's count) in scope.
const inPage = (body) =>
  env.evaluate("tests/e2e/fixtures/app.html", `(async () => {
    const { HotModule } = await import("/www/build/packed-assemblyscript/package/dist/index.js");
    const from = (name, range) => ({ registry: "/www/build/registry-assemblyscript/", name, range });
    const failure = (promise) => promise.then(
      () => "resolved", (e) => (e instanceof Error ? "" : "not an Error: ") + e.code + ": " + e.message);
    const serving = (m) => ({ version: m.version, tea: m.exports.get("tea") });
    ${body}
  })()`);

test("the CLI publishes an asc --bindings raw glue as glue.kind assemblyscript, and refuses a minor that drops exports", () => {
  const v1 = readIndex("tally").versions[0];
  assert.equal(v1.glue.kind, "assemblyscript");
  assert.equal(v1.glue.digest, digestOf(file("v1", "js")));
  assert.equal(readFileSync(join(REGISTRY, "blobs/sha256", v1.glue.digest.slice(7))).length, v1.glue.size);
  publish("tally-cli", "v2", "1.1.0");
  const run = publishRun("tally-cli", "v1-as-1.2.0", "1.2.0");
  assert.equal(run.status, 1, run.stderr);
  assert.equal(run.json.error.code, "SEMVER_VIOLATION");
  assert.match(run.json.error.items.join("\n"), /export `keys`/);
});

test("an AssemblyScript guest's string API keeps working across a swap that carries its state", async () => {
  const result = await inPage(`
    const m = await HotModule.load(from("tally", "=1.0.0"));
    const add = m.exports.add;
    add("tea"); add("tea"); add("milk"); add("é☕");
    const before = { ...serving(m), exports: Object.keys(m.exports).sort() };
    const report = await m.swap({ version: "1.1.0" });
    return {
      before,
      report: { from: report.fromVersion, to: report.toVersion, guest: report.guest, bytes: report.stateBytes },
      after: { ...serving(m), add: add("tea"), keys: m.exports.keys(), removed: m.exports.remove("milk"), left: m.exports.keys(), exports: Object.keys(m.exports).sort() },
    };
  `);
  assert.deepEqual(result.before, { version: "1.0.0", tea: 2, exports: ["add", "get"] });
  // "ASTL", format, 3 keys, then 4 + 4 + UTF-8 bytes per key.
  assert.deepEqual(result.report, { from: "1.0.0", to: "1.1.0", guest: "stateful", bytes: 12 + 3 * 8 + 4 + 3 + 5 });
  assert.deepEqual(result.after, {
    version: "1.1.0", tea: 2, add: 3, keys: "milk,tea,é☕", removed: true, left: "tea,é☕",
    exports: ["add", "get", "keys", "remove"],
  });
});

test("a version whose load_state throws on the state is STATE_LOAD_FAILED with the guest's message, and v2 serves on", async () => {
  const result = await inPage(`
    const m = await HotModule.load(from("tally", "=1.1.0"));
    m.exports.add("tea");
    const message = await failure(m.swap({ version: "1.2.0" }));
    return { message, ...serving(m), keys: m.exports.keys(), add: m.exports.add("tea") };
  `);
  const { message, ...serving } = result;
  assert.match(message, /^STATE_LOAD_FAILED: .*`load_state` refused the state \(\d+ bytes\): Error: state format 1 is older than this version reads \(2 and later\)/);
  assert.deepEqual(serving, { version: "1.1.0", tea: 1, keys: "tea", add: 2 });
});

test("a minor that drops v2's exports, slipped into an index, is SEMVER_VIOLATION at the gate, and v2 serves on", async () => {
  // The CLI refuses to publish it (see above): the registry here was written by hand.
  const bad = publish("tally-bad", "v1-as-1.2.0", "1.2.0").version;
  assert.equal(bad, "1.2.0");
  const [v1, v2] = readIndex("tally").versions;
  writeIndex("tally-gated", [v1, v2, readIndex("tally-bad").versions[0]]);
  const result = await inPage(`
    const m = await HotModule.load(from("tally-gated", "=1.1.0"));
    m.exports.add("tea"); m.exports.add("tea");
    const message = await failure(m.swap({ version: "1.2.0" }));
    return { message, ...serving(m), keys: m.exports.keys() };
  `);
  const { message, ...serving } = result;
  assert.match(message, /^SEMVER_VIOLATION: .*1\.1\.0 => 1\.2\.0 .*export `keys` .*removed/);
  assert.deepEqual(serving, { version: "1.1.0", tea: 2, keys: "tea" });
});

test("tampered glue is HASH_MISMATCH naming its digest, and v1 serves on with its state", async () => {
  const v2 = readIndex("tally").versions[1];
  const result = await inPage(`
    const m = await HotModule.load(from("tally", "=1.0.0"));
    m.exports.add("tea");
    // A registry that serves other bytes than the index names for the glue.
    const tampering = (hex) => async (url, init) => {
      const response = await fetch(url, init);
      if (!String(url).endsWith(hex)) return response;
      const bytes = new Uint8Array(await response.arrayBuffer());
      bytes[bytes.length - 1] ^= 1;
      return new Response(bytes, { status: 200 });
    };
    const message = await failure(m.swap({ version: "1.1.0", fetch: tampering(${JSON.stringify(v2.glue.digest.slice(7))}) }));
    return { message, ...serving(m), add: m.exports.add("tea") };
  `);
  const { message, ...serving } = result;
  assert.match(message, new RegExp(`^HASH_MISMATCH: .*glue .*${v2.glue.digest.slice(7)}`));
  assert.deepEqual(serving, { version: "1.0.0", tea: 1, add: 2 });
});

test("a fixed load takes the glue with kind assemblyscript; without it the same module is a raw guest the raw contract refuses", async () => {
  const at = (guest, ext) => ({ url: `/www/build/examples/assemblyscript-glue-counter/tally-${guest}.${ext}`, digest: digestOf(file(guest, ext)) });
  const [v1, v1js, v2, v2js] = [at("v1", "wasm"), at("v1", "js"), at("v2", "wasm"), at("v2", "js")];
  const result = await inPage(`
    const m = await HotModule.load({ ...${JSON.stringify(v1)}, glue: { ...${JSON.stringify(v1js)}, kind: "assemblyscript" } });
    m.exports.add("tea");
    const report = await m.swap({ ...${JSON.stringify(v2)}, glue: { ...${JSON.stringify(v2js)}, kind: "assemblyscript" } });
    const bare = await failure(HotModule.load(${JSON.stringify(v1)}));
    const unknown = await failure(HotModule.load({ ...${JSON.stringify(v1)}, glue: { ...${JSON.stringify(v1js)}, kind: "emscripten" } }));
    return { ...serving(m), keys: m.exports.keys(), guest: report.guest, bare, unknown };
  `);
  assert.deepEqual(
    { version: result.version, tea: result.tea, keys: result.keys, guest: result.guest },
    { version: "1.1.0", tea: 1, keys: "tea", guest: "stateful" },
  );
  assert.match(result.bare, /^INVALID_GUEST: .*alloc_state/);
  assert.match(result.unknown, /^INVALID_OPTIONS: .*glue\.kind/);
});
