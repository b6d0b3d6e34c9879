// Guests from other languages, end to end in Chromium: the C and AssemblyScript counters in
// examples/, built here from source with the real toolchains (Debian's clang and lld, npm's
// asc), swap with their state through the raw contract; each refuses a state it cannot read,
// and the gate refuses a minor version that drops an export, leaving the old version serving.
// Each is also published by the CLI, which refuses the minor that drops an export, and swapped
// from that registry by the packed npm package.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { start } from "./harness.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const LANGUAGES = [
  { name: "C", a: "a", dir: "c-counter", build: ["bash", ["examples/c-counter/build.sh"]] },
  { name: "AssemblyScript", a: "an", dir: "assemblyscript-counter", build: ["node", ["examples/assemblyscript-counter/build.mjs"]] },
];

// Inside www/build/ (git-ignored), so that the test's static server serves them.
const REGISTRY = join(ROOT, "www/build/registry-languages");
const PACKED = join(ROOT, "www/build/packed-languages");

let env, cli;
before(async () => {
  for (const { build: [command, args] } of LANGUAGES) execFileSync(command, args, { cwd: ROOT, stdio: "inherit" });
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0, "cargo build -p hotswap-cli");
  cli = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");
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

/** `hotswap publish` of examples/<dir>'s `name` build as `version`, with its JSON output. */
function publish(dir, name, version) {
  const file = join(ROOT, "www/build/examples", dir, `${name}.wasm`);
  const args = ["publish", file, "--name", dir, "--version", version, "--registry", REGISTRY, "--json"];
  const run = spawnSync(cli, args, { cwd: ROOT, encoding: "utf8" });
  return { status: run.status, json: JSON.parse(run.stdout || "null") };
}

// Runs `body` in a fresh page with `HotModule`, `guest(dir, name)` (the `{ url, digest }` of
// www/build/examples/<dir>/<name>.wasm) and `failure(promise)` (`code: message` of its
// rejection) in scope.
const inPage = (body) =>
  env.evaluate("tests/e2e/fixtures/app.html", `(async () => {
    const { HotModule } = await import("/dist/index.js");
    const guest = async (dir, name) => {
      const url = "/www/build/examples/" + dir + "/" + name + ".wasm";
      const bytes = await (await fetch(url)).arrayBuffer();
      const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      return { url, digest: "sha256:" + Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("") };
    };
    const failure = (promise) => promise.then(
      () => "resolved", (e) => (e instanceof Error ? "" : "not an Error: ") + e.code + ": " + e.message);
    ${body}
  })()`);

for (const { name, a, dir } of LANGUAGES) {
  const at = JSON.stringify(dir);

  test(`${a} ${name} guest's count survives the swap to v2, whose new export calls() then counts on`, async () => {
    const result = await inPage(`
      const m = await HotModule.load(await guest(${at}, "counter-v1"));
      const increment = m.exports.increment;
      increment(5); increment(2);
      const before = { version: m.version, get: m.exports.get(), exports: Object.keys(m.exports).sort() };
      const report = await m.swap(await guest(${at}, "counter-v2"));
      const callsAfterSwap = m.exports.calls();
      return {
        before, report: { from: report.fromVersion, to: report.toVersion, guest: report.guest, bytes: report.stateBytes },
        after: { version: m.version, get: m.exports.get(), callsAfterSwap, increment: increment(1), calls: m.exports.calls() },
      };
    `);
    assert.deepEqual(result.before, { version: "1.0.0", get: 7, exports: ["get", "increment", "memory"] });
    assert.deepEqual(result.report, { from: "1.0.0", to: "1.1.0", guest: "stateful", bytes: 12 });
    // v1's state has no `calls`: v2 starts them at 0; a function captured before reaches v2.
    assert.deepEqual(result.after, { version: "1.1.0", get: 7, callsAfterSwap: 0, increment: 8, calls: 1 });
  });

  test(`${a} ${name} minor version without v2's calls is SEMVER_VIOLATION naming calls, and v2 keeps its state`, async () => {
    const result = await inPage(`
      const m = await HotModule.load(await guest(${at}, "counter-v2"));
      m.exports.increment(3);
      const message = await failure(m.swap(await guest(${at}, "counter-v1-as-1.2.0")));
      return { message, version: m.version, get: m.exports.get(), calls: m.exports.calls() };
    `);
    const { message, ...serving } = result;
    assert.match(message, /^SEMVER_VIOLATION: .*1\.1\.0 => 1\.2\.0 .*export `calls` .*removed/);
    assert.deepEqual(serving, { version: "1.1.0", get: 3, calls: 1 });
  });

  test(`${a} ${name} downgrade that drops calls is refused by the gate before load_state is asked`, async () => {
    // v1 would refuse v2's newer state format too, but the gate comes first: even with
    // allowDowngrade, an export removed is INCOMPATIBLE_INTERFACE.
    const result = await inPage(`
      const m = await HotModule.load(await guest(${at}, "counter-v2"));
      m.exports.increment(4);
      const message = await failure(m.swap({ ...(await guest(${at}, "counter-v1")), policy: { allowDowngrade: true } }));
      return { message, version: m.version, get: m.exports.get() };
    `);
    const { message, ...serving } = result;
    assert.match(message, /^INCOMPATIBLE_INTERFACE: .*export `calls` .*removed/);
    assert.deepEqual(serving, { version: "1.1.0", get: 4 });
  });
}

for (const [from, to] of [LANGUAGES, [...LANGUAGES].reverse()]) {
  test(`${to.a} ${to.name} guest refuses ${from.a} ${from.name} guest's state: STATE_LOAD_FAILED naming its code, and the ${from.name} one keeps serving`, async () => {
    // Same exports, other state format: the interface allows the swap, load_state does not.
    const result = await inPage(`
      const m = await HotModule.load(await guest(${JSON.stringify(from.dir)}, "counter-v1"));
      m.exports.increment(6);
      const message = await failure(m.swap(await guest(${JSON.stringify(to.dir)}, "counter-v2")));
      return { message, version: m.version, get: m.exports.get(), increment: m.exports.increment(1) };
    `);
    const { message, ...serving } = result;
    assert.match(message, /^STATE_LOAD_FAILED: .*`load_state` returned 1/);
    assert.deepEqual(serving, { version: "1.0.0", get: 6, increment: 7 });
  });
}

for (const { name, a, dir } of LANGUAGES) {
  test(`${a} ${name} guest published by the CLI swaps from the registry with its state, from the packed package, and a v1 as 1.2.0 is refused by publish naming calls`, async () => {
    assert.equal(publish(dir, "counter-v1", "1.0.0").status, 0);
    assert.equal(publish(dir, "counter-v2", "1.1.0").status, 0);
    const refused = publish(dir, "counter-v1-as-1.2.0", "1.2.0");
    assert.equal(refused.status, 1);
    assert.equal(refused.json.error.code, "SEMVER_VIOLATION");
    assert.match(JSON.stringify(refused.json.error), /export `calls`/);
    const result = await env.evaluate("tests/e2e/fixtures/app.html", `(async () => {
      const { HotModule } = await import("/www/build/packed-languages/package/dist/index.js");
      const m = await HotModule.load({ registry: "/www/build/registry-languages/", name: ${JSON.stringify(dir)}, range: "=1.0.0" });
      m.exports.increment(5);
      const report = await m.swap({ version: "^1" });
      return { version: m.version, get: m.exports.get(), calls: m.exports.calls(), guest: report.guest };
    })()`);
    assert.deepEqual(result, { version: "1.1.0", get: 5, calls: 0, guest: "stateful" });
  });
}
