// The npm package used the way an app uses it: a plain page importing /dist/index.js.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { start } from "./harness.mjs";

describe("package import", { timeout: 60_000 }, () => {
  let env;
  before(async () => {
    env = await start();
  });
  after(async () => {
    await env?.stop();
  });

  test("an app loads a guest, calls its exports and gets typed errors", async () => {
    const tab = await env.page();
    try {
      await tab.page.goto(new URL("tests/e2e/fixtures/app.html", env.url).href);
      await tab.page.waitForFunction(() => window.appResult !== undefined || undefined, null, {
        timeout: 30_000,
      }).catch(() => {
        throw new Error(`fixture did not finish: ${tab.errors.map(String).join("; ") || "no page error"}`);
      });
      const result = await tab.page.evaluate(() => window.appResult);
      const manifest = await (await fetch(new URL("www/build/manifest.json", env.url))).json();

      assert.equal(result.malformed.isHotSwapError, true, "malformed digest rejects with HotSwapError");
      assert.equal(result.malformed.isError, true, "HotSwapError extends Error");
      assert.equal(result.malformed.code, "INVALID_DIGEST");
      assert.equal(result.digest, manifest.v1.digest);
      assert.equal(result.version, "1.0.0");
      assert.equal(result.afterIncrement, result.before + 2);
      assert.equal(result.get, result.before + 2);
      assert.deepEqual(tab.errors.map(String), []);
    } finally {
      await tab.close();
    }
  });
});
