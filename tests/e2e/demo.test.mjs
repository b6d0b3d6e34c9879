// The demo page (a wasm-bindgen notes guest) driven as a person would: type, click, read what
// the page shows. Also opened under the README's Content-Security-Policy with Trusted Types.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, afterEach, before, describe, test } from "node:test";
import { start } from "./harness.mjs";

// The README's policy for a page that runs wasm-bindgen guests in Chromium, and the strict one
// for raw modules that lacks its extra source.
const STRICT = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; require-trusted-types-for 'script'";
const BINDGEN =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'trusted-types-eval'; connect-src 'self'; " +
  "require-trusted-types-for 'script'; trusted-types wasm-hotswap";

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

  /** Opens the demo (served with `csp` as its Content-Security-Policy header, if given). */
  async function openDemo({ csp, expectReady = true } = {}) {
    tab = await env.page();
    const url = new URL("www/", env.url).href;
    if (csp !== undefined) {
      // Every violation the policy reports, to tell what it refused.
      await tab.page.addInitScript(() => {
        window.cspViolations = [];
        document.addEventListener("securitypolicyviolation", (e) =>
          window.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`),
        );
      });
      await tab.page.route(url, async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), "content-security-policy": csp } });
      });
    }
    await tab.page.goto(url);
    await tab.page.waitForFunction(() => window.hotswapDemo !== undefined, null, { timeout: 30_000 });
    const loaded = await tab.page.evaluate(() => window.hotswapDemo.ready);
    if (expectReady) assert.equal(loaded, true, `demo failed to load: ${await tab.page.locator("#status").innerText()}`);
    return tab.page;
  }

  const text = (page, id) => page.locator(`#${id}`).innerText();
  const notes = (page) => page.locator("#notes li .text").allInnerTexts();

  async function addNote(page, note) {
    await page.getByLabel("New note").fill(note);
    await page.getByRole("button", { name: "Add", exact: true }).click();
  }

  /** Clicks a swap button and waits until the swap it started has settled either way. */
  async function swapVia(page, name) {
    await page.getByRole("button", { name }).click();
    await page.waitForFunction(() => document.getElementById("status").dataset.kind !== "busy", null, {
      timeout: 30_000,
    });
    return text(page, "status");
  }

  test("notes added in v1 survive the upgrade to v2, and v2's pin and clear work", async () => {
    const page = await openDemo();
    assert.equal(await text(page, "version"), "1.0.0");
    assert.equal(await text(page, "empty"), "No notes yet.");
    assert.equal(await page.getByRole("button", { name: /^Pin/ }).count(), 0, "v1 has no pin");
    assert.equal(await page.getByRole("button", { name: "Clear" }).isVisible(), false, "v1 has no clear");
    await addNote(page, "milk");
    await addNote(page, "eggs — 12, «free range»");
    // Enter in the field adds too.
    await page.getByLabel("New note").fill("tea");
    await page.getByLabel("New note").press("Enter");
    assert.deepEqual(await notes(page), ["milk", "eggs — 12, «free range»", "tea"]);
    assert.equal(await text(page, "count"), "3");

    const status = await swapVia(page, "Upgrade to v2");
    assert.match(status, /Upgraded to 1\.1\.0 in .*, 3 notes kept/);
    assert.equal(await text(page, "version"), "1.1.0");
    const manifest = await page.evaluate(() => window.hotswapDemo.manifest);
    assert.equal(await text(page, "digest"), manifest.v2.digest);
    assert.deepEqual(await notes(page), ["milk", "eggs — 12, «free range»", "tea"], "notes carried into v2");
    const report = await text(page, "report");
    assert.match(report, /total/);
    assert.match(report, /minor/, "report names the version bump");
    assert.match(report, /pin/, "report lists the added export");
    assert.equal(await page.getByRole("button", { name: "Upgrade to v2" }).isDisabled(), true);

    // v2's pin, on the notes v1 wrote.
    await page.getByRole("button", { name: "Pin “eggs — 12, «free range»”" }).click();
    const unpin = page.getByRole("button", { name: "Unpin “eggs — 12, «free range»”" });
    assert.equal(await unpin.getAttribute("aria-pressed"), "true");
    assert.deepEqual(await page.locator("#notes li.pinned .text").allInnerTexts(), ["eggs — 12, «free range»"]);
    // The add captured at start-up now runs v2.
    await addNote(page, "bread");
    assert.deepEqual(await notes(page), ["milk", "eggs — 12, «free range»", "tea", "bread"]);
    assert.equal(await page.evaluate(() => window.hotswapDemo.module.exports.is_pinned(1)), true);

    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/demo.png", fullPage: true });

    await page.getByRole("button", { name: "Remove “milk”" }).click();
    assert.deepEqual(await notes(page), ["eggs — 12, «free range»", "tea", "bread"]);
    await page.getByRole("button", { name: "Clear" }).click();
    assert.deepEqual(await notes(page), []);
    assert.equal(await text(page, "count"), "0");
    assert.equal(await page.locator("#empty").isVisible(), true);
  });

  test("corrupted build shows HASH_MISMATCH and v1 keeps serving its notes", async () => {
    const page = await openDemo();
    const manifest = await page.evaluate(() => window.hotswapDemo.manifest);
    await addNote(page, "milk");
    await addNote(page, "eggs");

    const status = await swapVia(page, "Try a corrupted build");
    assert.equal(await page.locator("#status .code").innerText(), "HASH_MISMATCH");
    assert.match(status, /still serving 1\.0\.0/);
    assert.equal(await page.locator("#status").getAttribute("data-kind"), "error");
    assert.equal(await text(page, "version"), "1.0.0");
    assert.equal(await text(page, "digest"), manifest.v1.digest);
    assert.deepEqual(await notes(page), ["milk", "eggs"], "notes untouched by the failed swap");

    await addNote(page, "tea");
    assert.deepEqual(await notes(page), ["milk", "eggs", "tea"]);
    assert.equal(await page.getByRole("button", { name: /^Pin/ }).count(), 0);
    // And the real v2 still upgrades afterwards.
    assert.match(await swapVia(page, "Upgrade to v2"), /Upgraded to 1\.1\.0/);
    assert.deepEqual(await notes(page), ["milk", "eggs", "tea"]);
  });

  test("a prepared v2 serves only once Apply is clicked, and a faulty v3 is rolled back by probation with the notes", async () => {
    const page = await openDemo();
    await addNote(page, "milk");
    await addNote(page, "eggs");

    const prepared = await swapVia(page, "Prepare v2");
    assert.match(prepared, /1\.1\.0 is fetched, verified, gated and instantiated; 1\.0\.0 serves until you apply it/);
    assert.equal(await text(page, "version"), "1.0.0", "prepared, not applied");
    await addNote(page, "tea");
    assert.match(await swapVia(page, "Apply 1.1.0"), /Applied 1\.1\.0 in .*, 3 notes kept/);
    assert.equal(await text(page, "version"), "1.1.0");
    assert.equal(await page.getByRole("button", { name: "Apply 1.1.0" }).isVisible(), false);

    // v3's list() traps the first time the page renders it: probation rolls back to 1.1.0.
    const faulty = await swapVia(page, "Try faulty v3");
    assert.match(faulty, /1\.2\.0 trapped on its first call: back on 1\.1\.0, 3 notes kept/);
    assert.equal(await page.locator("#status").getAttribute("data-kind"), "error");
    assert.equal(await text(page, "version"), "1.1.0");
    assert.deepEqual(await notes(page), ["milk", "eggs", "tea"], "the notes came back with 1.1.0");

    // 1.1.0 serves: its pins work on the notes.
    await page.getByRole("button", { name: "Pin “eggs”" }).click();
    assert.deepEqual(await page.locator("#notes li.pinned .text").allInnerTexts(), ["eggs"]);
  });

  test("Roll back returns from v2 to v1 with v1's notes when v1 refuses v2's state, and is disabled with nothing to return to", async () => {
    const page = await openDemo();
    assert.equal(await page.getByRole("button", { name: "Roll back" }).isDisabled(), true);
    await addNote(page, "milk");
    await swapVia(page, "Upgrade to v2");
    await addNote(page, "bread");
    // v1 cannot read v2's newer state, so it comes back with its own from the swap.
    const status = await swapVia(page, "Roll back");
    assert.match(status, /Rolled back from 1\.1\.0: back on 1\.0\.0, 1 note kept \(it cannot read the newer state: restored its own from the swap; lost: the state 1\.1\.0 held/);
    assert.equal(await text(page, "version"), "1.0.0");
    assert.deepEqual(await notes(page), ["milk"]);
    assert.equal(await page.getByRole("button", { name: /^Pin/ }).count(), 0, "v1 again: no pins");
    assert.equal(await page.getByRole("button", { name: "Roll back" }).isDisabled(), true);
  });

  test("the notes survive a reload of the page", async () => {
    const page = await openDemo();
    await addNote(page, "milk");
    await addNote(page, "eggs");
    await page.reload();
    await page.waitForFunction(() => window.hotswapDemo?.ready === true, null, { timeout: 30_000 });
    assert.deepEqual(await notes(page), ["milk", "eggs"]);
    assert.equal(await text(page, "count"), "2");
    assert.equal(await text(page, "version"), "1.0.0");
  });

  test("under the README's CSP for wasm-bindgen guests, with Trusted Types, the demo loads and upgrades", async () => {
    const page = await openDemo({ csp: BINDGEN });
    await addNote(page, "milk");
    assert.match(await swapVia(page, "Upgrade to v2"), /Upgraded to 1\.1\.0 in .*, 1 note kept/);
    assert.deepEqual(await notes(page), ["milk"]);
    await page.getByRole("button", { name: "Pin “milk”" }).click();
    assert.equal(await page.locator("#notes li.pinned").count(), 1);
    assert.equal(await page.locator("#status .code").innerText().catch(() => null), null, "no error code shown");
    await page.getByRole("button", { name: "Try a corrupted build" }).click();
    await page.waitForFunction(() => document.getElementById("status").dataset.kind !== "busy");
    assert.equal(await page.locator("#status .code").innerText(), "HASH_MISMATCH");
    assert.deepEqual(await page.evaluate(() => window.cspViolations), [], "the page breaks none of the policy");
  });

  test("under the strict CSP without 'trusted-types-eval' the page shows INVALID_GUEST and why", async () => {
    const page = await openDemo({ csp: STRICT, expectReady: false });
    assert.equal(await page.evaluate(() => window.hotswapDemo.ready), false);
    assert.equal(await page.locator("#status").getAttribute("data-kind"), "error");
    assert.equal(await page.locator("#status .code").innerText(), "INVALID_GUEST");
    const status = await text(page, "status");
    assert.match(status, /glue .*notes_v1\.js/, "names the glue");
    assert.match(status, /'trusted-types-eval'/, "names the source the policy lacks");
    assert.match(status, /could not start/);
    for (const name of ["Add", "Upgrade to v2", "Try a corrupted build"]) {
      assert.equal(await page.getByRole("button", { name, exact: true }).isDisabled(), true, `${name} stays disabled`);
    }
    // The policy refused the glue's eval, and nothing else; afterEach checks nothing was thrown.
    assert.deepEqual(await page.evaluate(() => window.cspViolations), ["script-src eval"]);
  });
});
