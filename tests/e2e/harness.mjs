// Shared set-up for the end-to-end tests: the static server in-process and Debian's headless
// Chromium through playwright-core (no browser is downloaded).
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
    /** A fresh page that records every uncaught page error into `errors`. */
    async page() {
      const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (error) => errors.push(error));
      page.on("console", (msg) => {
        if (msg.type() === "error") process.stderr.write(`[page console] ${msg.text()}\n`);
      });
      return { page, errors, close: () => context.close() };
    },
    async stop() {
      await browser.close();
      await server.close();
    },
  };
}
