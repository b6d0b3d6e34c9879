// Shared set-up for the end-to-end tests: the static server in-process and Debian's headless
// Chromium through playwright-core (no browser is downloaded).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
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

/**
 * `hotswap serve --json --port 0 DIR --watch PATH --name NAME` with the CLI binary `cli`, on a
 * port of its choosing. `next(key)` resolves with its next JSON line, or with `key`, its next
 * line that has that key; it fails after 30 s, or if the server exits. `stop()` kills it. It
 * runs in the repository's root, where it finds jco (`node_modules/.bin/jco`) for components.
 */
export async function hotswapServe(cli, dir, watched, name) {
  const child = spawn(cli, ["serve", "--json", "--port", "0", dir, "--watch", watched, "--name", name], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (key) => {
    const deadline = Date.now() + 30_000;
    const late = () => new Error(`hotswap serve printed no ${key ? `\`${key}\` ` : ""}line in time`);
    for (;;) {
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(late()), Math.max(0, deadline - Date.now()));
      });
      try {
        const { value, done } = await Promise.race([lines.next(), timeout]);
        assert.ok(!done, "hotswap serve exited");
        const line = JSON.parse(value);
        if (key === undefined || key in line) return line;
      } finally {
        clearTimeout(timer);
      }
    }
  };
  const listening = await next("listening");
  return { url: listening.listening, next, stop: () => child.kill() };
}
