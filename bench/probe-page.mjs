// What the probes that measure in one bench page share (probe-small.mjs, probe-chunks.mjs):
// the bench's server, a headless Chromium, bench/page.html, and both closed at the end.
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../scripts/chromium.mjs";
import { startServer } from "./server.mjs";

/** `body(page)`'s result, `page` a fresh tab on bench/page.html of a server and browser of its own. */
export async function onBenchPage(body) {
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url + "bench/page.html");
    return await body(page);
  } finally {
    await browser.close();
    await server.close();
  }
}
