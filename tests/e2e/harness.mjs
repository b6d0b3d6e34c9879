// Shared set-up for the end-to-end tests: the static server in-process and Debian's headless
// Chromium through playwright-core (no browser is downloaded).
import { chromium } from "playwright-core";
import { serve } from "../../scripts/serve.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function start() {
  const server = await serve({ port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Only the local server resolves: nothing on the page may reach outside.
      "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ],
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
