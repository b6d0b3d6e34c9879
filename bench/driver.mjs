// Pages in a Chromium that no DevTools-protocol client is attached to, for the figures measured
// inside one page (1-5, 8, 8b, 9-11). Playwright drives a page through the protocol, and a page
// with a client attached (Runtime.enable, as Playwright's every page has) runs differently:
// measured on 2026-12-01, a 10 KB swap's synchronous part took 0.095-0.135 ms with Playwright
// attached and 0.025 ms without, because each `queueMicrotask` that wasm-bindgen-futures makes
// from wasm cost tens of microseconds there (with `queueMicrotask` hidden from the runtime, the
// attached page's synchronous part fell to 0.04-0.05 ms). A user's page has no such client
// unless DevTools is open. So these pages are a Chromium of their own per page (a fresh profile,
// as a new browser context is), started with the URL and driven through the bench server: the
// page (bench/driven.mjs) asks `GET /driver/next` for its next call, runs it and posts what it
// returned to `/driver/done`; its errors come back through `/driver/log`.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM, CHROMIUM_ARGS } from "../scripts/chromium.mjs";

// What Playwright's launch adds to CHROMIUM_ARGS that bears on a page's timing, so that the two
// kinds of page differ by the protocol client alone: no throttling of timers or of a renderer
// the browser thinks is in the background, no hang monitor, no IPC flood protection.
const AS_PLAYWRIGHT = [
  "--headless",
  "--disable-background-timer-throttling",
  "--disable-backgrounding-occluded-windows",
  "--disable-renderer-backgrounding",
  "--disable-back-forward-cache",
  "--disable-breakpad",
  "--disable-dev-shm-usage",
  "--disable-extensions",
  "--disable-hang-monitor",
  "--disable-ipc-flooding-protection",
  "--no-default-browser-check",
];

let opened = 0;
// The `close` of every page open now.
const open = new Set();

/**
 * Opens `path` (on `server`, a bench/server.mjs server) in a Chromium of its own started with
 * `args`, and answers once the page has asked for its first call: `{ evaluate(fn, arg), close() }`.
 * `evaluate` runs `fn(arg)` in the page (`fn`'s source, evaluated there; `arg` and the result
 * as JSON) and rejects with the page's error. `log` receives the page's uncaught errors and
 * console errors. The browser starts on a `data:` page that navigates to `path` after `settle`
 * ms, so that its start-up work is done by then (the navigation is cross-site: a new renderer).
 * `profile` is its user-data-dir (a new empty one, removed by `close`, when not given); `id`
 * names the page to the server (the same `id` keeps the page's URL the same across visits).
 * `close()` ends the browser, which writes its caches to the profile as it exits.
 */
export async function detachedPage(server, path, { args = [], log = console.error, id, profile, settle = 300 } = {}) {
  id ??= `${process.pid}-${++opened}`;
  const own = profile === undefined;
  profile ??= await mkdtemp(join(tmpdir(), "wasm-hotswap-bench-"));
  const channel = server.driver(id, log);
  const url = new URL(path, server.url);
  url.searchParams.set("driver", id);
  const launcher = `<script>setTimeout(() => location.replace(${JSON.stringify(url.href)}), ${settle})</script>`;
  const start = `data:text/html,${encodeURIComponent(launcher)}`;
  // A process group of its own, so that `close` can wait for every process of this browser.
  const browser = spawn(CHROMIUM, [...CHROMIUM_ARGS, ...AS_PLAYWRIGHT, ...args, `--user-data-dir=${profile}`, start], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let stderr = "";
  browser.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise((ok) => browser.once("exit", (code, signal) => ok(`Chromium exited (${code ?? signal})`)));
  const gone = exited.then((why) => {
    throw new Error(`${why} before the page answered: ${stderr.trim().split("\n").slice(-5).join(" | ")}`);
  });
  gone.catch(() => {});
  let closing;
  const close = () =>
    (closing ??= (async () => {
      open.delete(close);
      channel.close();
      browser.kill(); // SIGTERM: the browser writes its caches and ends its other processes
      await exited;
      await groupGone(browser.pid);
      if (own) await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    })());
  open.add(close);
  try {
    await Promise.race([channel.ready, gone, timeout(60_000, `the page ${url.pathname} did not start driving`)]);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    evaluate: (fn, arg) => Promise.race([channel.call(String(fn), arg), gone]),
    close,
  };
}

/** Ends every page `detachedPage` opened and has not closed (a run that failed midway). */
export async function closeAll() {
  await Promise.all([...open].map((close) => close()));
}

/** Resolves once no process of the group `pgid` is left, killing what is left after 5 s. */
async function groupGone(pgid) {
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let waited = 0; alive(); waited += 50) {
    if (waited >= 5000) {
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

function timeout(ms, what) {
  return new Promise((_, fail) => setTimeout(() => fail(new Error(`${what} in ${ms / 1000} s`)), ms).unref());
}
