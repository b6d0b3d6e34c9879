// Shared set-up for the end-to-end tests: the static server in-process and Debian's headless
// Chromium through playwright-core (no browser is downloaded).
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../../scripts/chromium.mjs";
import { serve } from "../../scripts/serve.mjs";

export async function start() {
  const server = await serve({ port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    url: server.url,
    page,
    /**
     * Evaluates `script` (an expression, e.g. an async IIFE's text) in a fresh page at `path`
     * and resolves with its result; fails if the page had an uncaught error.
     */
    async evaluate(path, script) {
      const tab = await page();
      try {
        await tab.page.goto(new URL(path, server.url).href);
        const result = await tab.page.evaluate(script);
        assert.deepEqual(tab.errors.map(String), [], "no uncaught page error");
        return result;
      } finally {
        await tab.close();
      }
    },
    async stop() {
      await browser.close();
      await server.close();
    },
  };

  /** A fresh page that records every uncaught page error into `errors`. */
  async function page() {
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
    const tab = await context.newPage();
    const errors = [];
    tab.on("pageerror", (error) => errors.push(error));
    tab.on("console", (msg) => {
      if (msg.type() === "error") process.stderr.write(`[page console] ${msg.text()}\n`);
    });
    return { page: tab, errors, close: () => context.close() };
  }
}
