// The dev loop, end to end: `hotswap serve --watch` publishes a module the moment its file is
// rewritten, announces it on its event stream, and an open page swaps it in with its state.
// Measures the time from the file write (Node) to the swap applied (page), on one machine's
// clock. Prints it; asserts nothing about it.
//
//   node --test tests/e2e/devloop.test.mjs                     one run
//   DEVLOOP_RUNS=9 node --test tests/e2e/devloop.test.mjs      nine, and their median
//   DEVLOOP_PROFILE=release ...                                with the release build of the CLI
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { hotswapServe, start } from "./harness.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const RUNS = Math.max(1, Number(process.env.DEVLOOP_RUNS ?? 1));
const NAME = "acme/counter";
const PATIENCE = 30_000;

/** The CLI, built: the debug build by default (`cargo test` has made it already in CI), the
 *  release build with DEVLOOP_PROFILE=release (what `cargo install` gives users). */
function buildCli() {
  const release = process.env.DEVLOOP_PROFILE === "release";
  const args = ["build", "-q", "-p", "hotswap-cli", ...(release ? ["--release"] : [])];
  const built = spawnSync("cargo", args, { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0, `cargo ${args.join(" ")}`);
  return join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), release ? "release" : "debug", "hotswap");
}

// The page side, run in a real page of the static server (cross-origin isolated, as serve.mjs
// serves pages), talking to the registry server on another port through CORS. A page
// synthesized with page.route would not do: Chromium's Local Network Access treats it as
// public and blocks its requests to 127.0.0.1.
//
// It follows the registry with `m.watch({ events: true })` from wasm-hotswap/updates (the
// runtime's client of the event stream), or, with DEVLOOP_CLIENT=eventsource, with a plain
// EventSource that calls `m.swap({ version })` on each `published` event.
async function startPage([registry, name, client]) {
  const { HotModule } = await import("/dist/updates.js");
  const now = () => performance.timeOrigin + performance.now();
  const m = await HotModule.load({ registry, name, range: "*" });
  const state = { m, client: "", events: [], swaps: [], errors: [] };
  if (client !== "eventsource") {
    state.client = "m.watch";
    const watcher = m.watch({ events: true, interval: 600_000 });
    watcher.addEventListener("available", ({ detail }) => state.events.push({ ...detail, at: now() }));
    watcher.addEventListener("applied", ({ detail }) =>
      state.swaps.push({ version: m.version, at: now(), total: detail.report.total }),
    );
    watcher.addEventListener("rejected", ({ detail }) => state.errors.push(`${detail.code}: ${detail.message}`));
    watcher.addEventListener("error", ({ detail }) => state.errors.push(`${detail.code}: ${detail.message}`));
  } else {
    state.client = "EventSource";
    const stream = new EventSource(new URL("events", registry));
    stream.addEventListener("published", async (event) => {
      const data = JSON.parse(event.data);
      state.events.push({ ...data, at: now() });
      try {
        const report = await m.swap({ version: data.version });
        state.swaps.push({ version: m.version, at: now(), total: report.total });
      } catch (e) {
        state.errors.push(`${e.code}: ${e.message}`);
      }
    });
  }
  window.devloopState = state;
  return { version: m.version, digest: m.digest, client: state.client };
}

let env;
let cli;
before(async () => {
  cli = buildCli();
  env = await start();
});
after(async () => {
  await env?.stop();
});

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** One dev-loop round: fresh registry, server and page; returns the latencies in ms. */
async function round() {
  const dir = mkdtempSync(join(tmpdir(), "hotswap-devloop-"));
  const watched = join(dir, "counter.wasm");
  const registry = await hotswapServe(cli, join(dir, "registry"), watched, NAME);
  const tab = await env.page();
  try {
    copyFileSync(join(ROOT, "www/build/counter-v1.wasm"), watched);
    const first = await registry.next();
    assert.equal(first.published?.version, "1.0.0", JSON.stringify(first));

    // Any page of the app's origin will do; this one settles after loading its own module.
    await tab.page.goto(new URL("tests/e2e/fixtures/app.html", env.url).href);
    await tab.page.waitForFunction(() => window.appResult !== undefined, null, { timeout: PATIENCE });
    const loaded = await tab.page.evaluate(startPage, [registry.url, NAME, process.env.DEVLOOP_CLIENT]);
    // The server says when the page's event stream is open: only then is the edit announced.
    assert.equal((await registry.next()).stream, "opened");
    assert.equal(loaded.version, "1.0.0");
    assert.equal(loaded.digest, first.published.digest);
    const count = await tab.page.evaluate(() => {
      const { m } = window.devloopState;
      for (let i = 0; i < 3; i++) m.exports.increment(2);
      return m.exports.get();
    });
    assert.equal(count, 6);

    // The edit: v2 overwrites the watched file.
    const v2 = readFileSync(join(ROOT, "www/build/counter-v2.wasm"));
    const wrote = performance.timeOrigin + performance.now();
    await writeFile(watched, v2);
    await tab.page.waitForFunction(
      () => window.devloopState.swaps.length + window.devloopState.errors.length > 0,
      null,
      { timeout: PATIENCE, polling: 5 },
    );
    const state = await tab.page.evaluate(() => {
      const { m, events, swaps, errors } = window.devloopState;
      return {
        events,
        swaps,
        errors,
        version: m.version,
        get: m.exports.get(),
        decrement: typeof m.exports.decrement === "function" ? m.exports.decrement(1) : null,
        clicks: typeof m.exports.clicks === "function" ? m.exports.clicks() : null,
      };
    });
    assert.deepEqual(state.errors, []);
    let published = await registry.next();
    while (published.stream) published = await registry.next();
    assert.equal(published.published?.version, "1.1.0", JSON.stringify(published));
    assert.equal(state.events.length, 1);
    assert.equal(state.events[0].version, "1.1.0");
    assert.equal(state.events[0].digest, published.published.digest);
    assert.equal(state.version, "1.1.0");
    assert.equal(state.get, 6, "the count survived the swap");
    assert.equal(state.decrement, 5, "v2's decrement works");
    assert.equal(state.clicks, 1, "v2 counts its clicks");
    assert.deepEqual(tab.errors.map(String), [], "uncaught errors on the page");
    return {
      client: loaded.client,
      announced: state.events[0].at - wrote,
      applied: state.swaps[0].at - wrote,
      publish: published.ms,
      swapTotal: state.swaps[0].total,
    };
  } finally {
    await tab.close();
    registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a rewritten module reaches the open page with its state", { timeout: 60_000 + RUNS * 30_000 }, async () => {
  const results = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await round();
    results.push(r);
    const f = (ms) => ms.toFixed(1).padStart(6);
    console.log(
      `dev loop run ${i + 1}/${RUNS} (${r.client}): file write -> announced in the page ${f(r.announced)} ms -> swap applied ${f(r.applied)} ms` +
        ` (of which publishing ${f(r.publish)} ms, the swap ${f(r.swapTotal)} ms)`,
    );
  }
  if (RUNS > 1) {
    const applied = results.map((r) => r.applied);
    console.log(
      `dev loop: file write -> swap applied, median ${median(applied).toFixed(1)} ms over ${RUNS} runs` +
        ` (min ${Math.min(...applied).toFixed(1)}, max ${Math.max(...applied).toFixed(1)});` +
        ` file write -> announced, median ${median(results.map((r) => r.announced)).toFixed(1)} ms`,
    );
  }
});
