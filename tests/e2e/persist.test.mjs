// State that survives a reload, from the npm package: a counter loaded with `persist` keeps
// its count through real page reloads (the `pagehide` / hidden snapshot), starts fresh with
// `restorefailed` from a corrupted record, and a wasm-bindgen guest's state round-trips
// through `snapshot()` and `load({ state })`.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { start } from "./harness.mjs";

/** The fixture page below `base`, with the shim at `shim`. */
const fixture = (base, shim) =>
  new URL(`tests/e2e/fixtures/persist.html?shim=${encodeURIComponent(shim)}`, base).href;

/** Reloads keep the count; a corrupted record starts fresh and says so. */
async function reloads(env, base, shim) {
  const tab = await env.page();
  try {
    await tab.page.goto(fixture(base, shim));
    assert.equal(await tab.page.evaluate(() => window.ready), 0, "nothing stored at first");
    await tab.page.evaluate(() => window.m.exports.increment(3));

    // No persistNow: the snapshot the page's lifecycle takes is what the reload finds.
    await tab.page.reload();
    assert.equal(await tab.page.evaluate(() => window.ready), 3, "the count survived the reload");
    await tab.page.evaluate(() => window.m.exports.increment(2));
    await tab.page.reload();
    assert.equal(await tab.page.evaluate(() => window.ready), 5);

    // Stopped, so that the reload's own snapshot does not replace the corrupted record.
    await tab.page.evaluate(() => window.m.stopPersisting());
    await tab.page.evaluate(() => window.corrupt({ format: "something else" }));
    await tab.page.reload();
    assert.equal(await tab.page.evaluate(() => window.ready), 0, "started fresh");
    await tab.page.waitForFunction(() => window.events.some((e) => e.type === "restorefailed"));
    const events = await tab.page.evaluate(() => window.events);
    assert.deepEqual(events.find((e) => e.type === "restorefailed"), { type: "restorefailed", reason: "corrupt" });
    assert.equal(await tab.page.evaluate(() => window.m.exports.increment(1)), 1, "and serves");
    assert.deepEqual(tab.errors.map(String), [], "no uncaught page error");
  } finally {
    await tab.close();
  }
}

describe("state outside the instance", { timeout: 120_000 }, () => {
  let env;
  before(async () => {
    env = await start();
  });
  after(async () => {
    await env?.stop();
  });

  test("a page reload keeps the count through persist, and a corrupted record starts fresh", async () => {
    await reloads(env, env.url, "/dist/index.js");
  });

  test("a wasm-bindgen guest's snapshot starts a new load with its notes", async () => {
    const tab = await env.page();
    try {
      await tab.page.goto(fixture(env.url, "/dist/index.js"));
      await tab.page.evaluate(() => window.ready);
      const result = await tab.page.evaluate(() => window.notesRoundTrip());
      assert.equal(result.isBytes, true);
      assert.deepEqual(result.list, ["milk", "eggs"]);
    } finally {
      await tab.close();
    }
  });

  test("the packed npm tarball keeps the count through reloads", async () => {
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
      const shim = "/node_modules/wasm-hotswap/" + pkg.exports["."].import.replace(/^\.\//, "");
      await reloads(env, packed.url, shim);
    } finally {
      await packed.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
