// Every guest kind under the strict Content-Security-Policy of issue 13 §3, and under the one
// the README gives glue kinds: a raw module loads and swaps with its state under
// `script-src 'self' 'wasm-unsafe-eval'` and `require-trusted-types-for 'script'`; the kinds
// whose JS glue runs (wasm-bindgen, AssemblyScript, components) are refused there with
// INVALID_GUEST naming the source they need, and the policy reports that one eval and nothing
// else; with `'trusted-types-eval'` and `trusted-types wasm-hotswap` added, all of them load
// and swap, and the policy reports nothing.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { start } from "./harness.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const BUILD = join(ROOT, "www/build");
const REGISTRY = join(BUILD, "registry-csp");
const STRICT = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; require-trusted-types-for 'script'";
const GLUE = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'trusted-types-eval'; connect-src 'self'; require-trusted-types-for 'script'; trusted-types wasm-hotswap";
const KINDS = ["raw", "wasm-bindgen", "assemblyscript", "component"];
// What each kind counts after its swap: the state it was given before.
const COUNT = { raw: 3, "wasm-bindgen": 3, assemblyscript: 3, component: 3 };
const a = (kind) => (/^[aeiou]/.test(kind) ? "an" : "a");

let env;
before(async () => {
  const as = join(BUILD, "examples/assemblyscript-glue-counter");
  const rust = join(BUILD, "examples/rust-component");
  execFileSync("node", ["examples/assemblyscript-glue-counter/build.mjs", as], { cwd: ROOT, stdio: "inherit" });
  execFileSync("bash", ["examples/rust-component/build.sh", rust], { cwd: ROOT, stdio: "inherit" });
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0);
  const cli = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");
  rmSync(REGISTRY, { recursive: true, force: true });
  const publish = (args) => {
    const run = spawnSync(cli, ["publish", ...args, "--registry", REGISTRY], { cwd: ROOT, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
  };
  publish([join(as, "tally-v1.wasm"), "--glue", join(as, "tally-v1.js"), "--name", "tally", "--version", "1.0.0"]);
  publish([join(as, "tally-v2.wasm"), "--glue", join(as, "tally-v2.js"), "--name", "tally", "--version", "1.1.0"]);
  publish([join(rust, "counter-v1.component.wasm"), "--name", "counter", "--version", "1.0.0"]);
  publish([join(rust, "counter-v2.component.wasm"), "--name", "counter", "--version", "1.1.0"]);
  env = await start();
});
after(async () => {
  await env?.stop();
  rmSync(REGISTRY, { recursive: true, force: true });
});

/** The fixture page for `kind`, served with `csp`; its result and the violations reported. */
async function underPolicy(kind, csp) {
  const tab = await env.page();
  try {
    const url = new URL(`tests/e2e/fixtures/csp.html?kind=${kind}`, env.url).href;
    await tab.page.route(url, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), "content-security-policy": csp } });
    });
    await tab.page.goto(url);
    await tab.page.waitForFunction(() => window.cspResult !== undefined, null, { timeout: 30_000 });
    assert.deepEqual(tab.errors.map(String), [], "no uncaught page error");
    return await tab.page.evaluate(() => ({ result: window.cspResult, violations: window.cspViolations }));
  } finally {
    await tab.close();
  }
}

describe("under script-src 'self' 'wasm-unsafe-eval' with Trusted Types required", () => {
  test("a raw module loads and swaps with its state, and the policy reports nothing", async () => {
    const { result, violations } = await underPolicy("raw", STRICT);
    assert.deepEqual(result, { ok: true, version: "1.1.0", count: COUNT.raw });
    assert.deepEqual(violations, []);
  });
  for (const kind of KINDS.slice(1)) {
    test(`${a(kind)} ${kind} guest is INVALID_GUEST naming 'trusted-types-eval', the eval its glue needs the only violation`, async () => {
      const { result, violations } = await underPolicy(kind, STRICT);
      assert.equal(result.ok, false);
      assert.equal(result.hotSwapError, true);
      assert.equal(result.code, "INVALID_GUEST");
      assert.match(result.message, /'trusted-types-eval'/);
      assert.deepEqual(violations, ["script-src eval"]);
    });
  }
});

describe("with 'trusted-types-eval' and trusted-types wasm-hotswap added, as the README gives", () => {
  for (const kind of KINDS) {
    test(`${a(kind)} ${kind} guest loads and swaps with its state, and the policy reports nothing`, async () => {
      const { result, violations } = await underPolicy(kind, GLUE);
      assert.deepEqual(result, { ok: true, version: "1.1.0", count: COUNT[kind] });
      assert.deepEqual(violations, []);
    });
  }
});
