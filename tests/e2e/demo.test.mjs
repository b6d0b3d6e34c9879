// The demo page driven as a person would: click, read what the page shows.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, afterEach, before, describe, test } from "node:test";
import { start } from "./harness.mjs";

describe("demo page", { timeout: 120_000 }, () => {
  let env;
  let tab;

  before(async () => {
    env = await start();
  });
  after(async () => {
    await env?.stop();
  });
  afterEach(async () => {
    const errors = tab?.errors ?? [];
    await tab?.close();
    tab = undefined;
    assert.deepEqual(errors.map(String), [], "uncaught errors on the page");
  });

  async function openDemo() {
    tab = await env.page();
    await tab.page.goto(new URL("www/", env.url).href);
    await tab.page.waitForFunction(() => window.hotswapDemo !== undefined, null, { timeout: 30_000 });
    const loaded = await tab.page.evaluate(() => window.hotswapDemo.ready);
    assert.equal(loaded, true, `demo failed to load: ${await tab.page.locator("#status").innerText()}`);
    return tab.page;
  }

  const text = (page, id) => page.locator(`#${id}`).innerText();

  /** Clicks a swap button and waits until the swap it started has settled either way. */
  async function swapVia(page, id) {
    await page.click(`#${id}`);
    await page.waitForFunction(() => document.getElementById("status").dataset.kind !== "busy", null, {
      timeout: 30_000,
    });
    return text(page, "status");
  }

  test("count survives the upgrade to v2 and decrement works", async () => {
    const page = await openDemo();
    assert.equal(await text(page, "version"), "1.0.0");
    assert.equal(await page.locator("#decrement").isVisible(), false, "v1 has no decrement");
    const start = Number(await text(page, "count"));
    for (let i = 0; i < 3; i++) await page.click("#increment");
    assert.equal(Number(await text(page, "count")), start + 3);

    const status = await swapVia(page, "upgrade");
    assert.match(status, /Upgraded to 1\.1\.0/);
    assert.equal(await text(page, "version"), "1.1.0");
    const manifest = await page.evaluate(() => window.hotswapDemo.manifest);
    assert.equal(await text(page, "digest"), manifest.v2.digest);
    assert.equal(Number(await text(page, "count")), start + 3, "count carried into v2");
    const report = await text(page, "report");
    assert.match(report, /total/);
    assert.match(report, /minor/, "report names the version bump");
    assert.match(report, /decrement/, "report lists the added export");

    // The increment captured at start-up now runs v2.
    await page.click("#increment");
    assert.equal(Number(await text(page, "count")), start + 4);
    assert.equal(await page.locator("#decrement").isEnabled(), true);
    await page.click("#decrement");
    assert.equal(Number(await text(page, "count")), start + 3);
    assert.equal(await text(page, "clicks"), "2");

    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/demo.png", fullPage: true });
  });

  test("corrupted build is rejected and v1 keeps serving", async () => {
    const page = await openDemo();
    const manifest = await page.evaluate(() => window.hotswapDemo.manifest);
    await page.click("#increment");
    const before = Number(await text(page, "count"));

    const status = await swapVia(page, "corrupt");
    assert.match(status, /HASH_MISMATCH/);
    assert.match(status, /still serving 1\.0\.0/);
    assert.equal(await text(page, "version"), "1.0.0");
    assert.equal(await text(page, "digest"), manifest.v1.digest);
    assert.equal(Number(await text(page, "count")), before, "state untouched by the failed swap");

    await page.click("#increment");
    assert.equal(Number(await text(page, "count")), before + 1);
    assert.equal(await page.locator("#decrement").isVisible(), false);
  });
});
