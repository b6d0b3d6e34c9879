// The npm package used the way an app uses it: a plain page importing the shim, from the
// build tree and from the tarball `npm pack` makes (so a file missing from `files` shows).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { start } from "./harness.mjs";

/** Loads the fixture app page from `base` with the shim at `shim`; returns what it recorded. */
async function runApp(env, base, shim) {
  const tab = await env.page();
  try {
    const page = new URL(`tests/e2e/fixtures/app.html?shim=${encodeURIComponent(shim)}`, base);
    await tab.page.goto(page.href);
    await tab.page.waitForFunction(() => window.appResult !== undefined, null, { timeout: 30_000 }).catch(() => {
      throw new Error(`app page did not finish: ${tab.errors.map(String).join("; ") || "no page error"}`);
    });
    assert.deepEqual(tab.errors.map(String), [], "uncaught errors on the page");
    return await tab.page.evaluate(() => window.appResult);
  } finally {
    await tab.close();
  }
}

function assertAppWorked(result, manifest, { wit = false } = {}) {
  if (wit) {
    assert.equal(result.wit.code, "INCOMPATIBLE_INTERFACE", result.wit.message);
    assert.match(result.wit.message, /no WIT world/);
  } else {
    assert.equal(result.wit.code, "INVALID_OPTIONS", result.wit.message);
    assert.match(result.wit.message, /wasm-hotswap\/wit/);
  }
  assert.equal(result.malformed.isHotSwapError, true, "malformed digest rejects with HotSwapError");
  assert.equal(result.malformed.isError, true, "HotSwapError extends Error");
  assert.equal(result.malformed.code, "INVALID_DIGEST");
  assert.equal(result.digest, manifest.counter.v1.digest);
  assert.equal(result.version, "1.0.0");
  assert.equal(result.afterIncrement, result.before + 2);
  assert.equal(result.get, result.before + 2);
  assert.deepEqual(result.notes, { version: "1.1.0", list: ["milk"], pinned: true }, "a wasm-bindgen guest swapped with its notes");
}

describe("package import", { timeout: 120_000 }, () => {
  let env;
  let manifest;
  before(async () => {
    env = await start();
    manifest = JSON.parse(readFileSync("www/build/manifest.json", "utf8"));
  });
  after(async () => {
    await env?.stop();
  });

  test("an app loads a guest, calls its exports and gets typed errors", async () => {
    assertAppWorked(await runApp(env, env.url, "/dist/index.js"), manifest);
  });

  test("the wit entry point serves the same API and checks WIT worlds", async () => {
    assertAppWorked(await runApp(env, env.url, "/dist/wit.js"), manifest, { wit: true });
  });

  test("the packed npm tarball holds everything the shim imports", async () => {
    const root = mkdtempSync(join(tmpdir(), "wasm-hotswap-pack-"));
    const packed = await import("../../scripts/serve.mjs").then(({ serve }) => serve({ root, port: 0 }));
    try {
      const [{ filename }] = JSON.parse(
        execFileSync("npm", ["pack", "--json", "--pack-destination", root], { encoding: "utf8" }),
      );
      const installed = join(root, "node_modules", "wasm-hotswap");
      mkdirSync(installed, { recursive: true });
      execFileSync("tar", ["-xzf", join(root, filename), "-C", installed, "--strip-components=1"]);
      cpSync("www/build", join(root, "www", "build"), { recursive: true });
      cpSync("tests/e2e/fixtures", join(root, "tests", "e2e", "fixtures"), { recursive: true });

      const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
      for (const [entry, wit] of [[".", false], ["./wit", true], ["./warg", false]]) {
        const shim = "/node_modules/wasm-hotswap/" + pkg.exports[entry].import.replace(/^\.\//, "");
        assertAppWorked(await runApp(env, packed.url, shim), manifest, { wit });
      }
    } finally {
      await packed.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
