// Tabs share one poller: two pages of one origin (two tabs of one browser profile, i.e. one
// Playwright BrowserContext) watch the same package with `m.watch({ shared: true })`. The tab
// holding the Web Lock polls the registry and posts changed indexes on a BroadcastChannel; the
// other sends no index request at all, yet both swap to a newly published version, each with
// its own state. When the polling tab closes, the other takes the lock and polls.
//
// The registry is a folder the CLI publishes into (`hotswap publish --registry`), served by a
// small HTTP server in this file that answers like `hotswap serve` (CORS, strong ETag, 304)
// and records every request. Each page passes `HotModule.load` a `fetch` that tags its
// requests with `?tab=<id>`, so the server can tell which tab asked.
//
//   node --test tests/e2e/tabs.test.mjs      (after `bash scripts/build.sh`)
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { start } from "./harness.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const NAME = "acme/counter";
const INDEX_PATH = `/packages/${NAME}/index.json`;
const INTERVAL = 300; // ms between polls
const WINDOW = 3_000; // ms over which polls are counted
const PATIENCE = 15_000; // the longest wait for anything the pages do

/** The CLI, built (a no-op when `cargo test` has built it already). */
function buildCli() {
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0, "cargo build -p hotswap-cli");
  return join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");
}

/** `hotswap publish --json` into `dir`, without blocking this process (the registry server
 *  keeps answering the pages meanwhile); the parsed report. */
function publish(cli, dir, file, version) {
  return new Promise((done, fail) => {
    const child = spawn(cli, ["publish", "--json", join(ROOT, file), "--name", NAME, "--version", version, "--registry", dir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("error", fail);
    child.on("close", (status) => {
      if (status === 0) done(JSON.parse(out));
      else fail(new Error(`hotswap publish ${file} ${version} exited with ${status}: ${out}`));
    });
  });
}

/** A static registry server for `dir`, as `hotswap serve` answers (CORS, a strong ETag and
 *  304 on `If-None-Match`), recording every GET as `{ path, tab, status, at }`. */
async function registryServer(dir) {
  const requests = [];
  const cors = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag",
    "Cross-Origin-Resource-Policy": "cross-origin",
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://registry");
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        ...cors,
        "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": "If-None-Match",
        "Access-Control-Max-Age": "600",
      });
      res.end();
      return;
    }
    const record = { path: url.pathname, tab: url.searchParams.get("tab"), status: 0, at: performance.now() };
    requests.push(record);
    const reply = (status, headers = {}, body = "") => {
      record.status = status;
      res.writeHead(status, { ...cors, ...headers });
      res.end(body);
    };
    const file = resolve(join(dir, decodeURIComponent(url.pathname)));
    if (req.method !== "GET" || !file.startsWith(dir + sep)) return reply(405);
    const bytes = await readFile(file).catch(() => null);
    if (bytes === null) return reply(404);
    const blob = url.pathname.startsWith("/blobs/");
    const etag = `"${createHash("sha256").update(bytes).digest("hex")}"`;
    const headers = {
      ETag: etag,
      "Content-Type": blob ? "application/wasm" : "application/json",
      "Cache-Control": blob ? "public, max-age=31536000, immutable" : "no-cache",
    };
    if (req.headers["if-none-match"] === etag) return reply(304, headers);
    reply(200, { ...headers, "Content-Length": bytes.length }, bytes);
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    requests,
    /** Index GETs (by `tab`, when given) at or after `since` (performance.now() of this process). */
    polls: (since, tab) => requests.filter((r) => r.path === INDEX_PATH && r.at >= since && (tab === undefined || r.tab === tab)),
    close: () => {
      server.closeAllConnections();
      return new Promise((closed) => server.close(closed));
    },
  };
}

// Runs in a page: loads the package with a `fetch` that tags requests with this tab's id,
// counts `increments` times, and keeps what it needs on `window.tab`. It does not watch yet.
async function loadTab([registry, name, id, increments]) {
  const { HotModule } = await import("/dist/updates.js");
  const fetchTagged = (url, init) => {
    const tagged = new URL(url);
    tagged.searchParams.set("tab", id);
    return fetch(tagged, init);
  };
  const m = await HotModule.load({ registry, name, range: "^1", fetch: fetchTagged });
  for (let i = 0; i < increments; i++) m.exports.increment(1);
  window.tab = { m, watcher: null, available: [], applied: [], problems: [] };
  return { version: m.version, count: m.exports.get() };
}

// Runs in a page: starts the shared watch, recording its events.
function watchTab(interval) {
  const tab = window.tab;
  const watcher = tab.m.watch({ interval, shared: true });
  watcher.addEventListener("available", ({ detail }) => tab.available.push(detail.version));
  watcher.addEventListener("applied", ({ detail }) => tab.applied.push(detail.version));
  watcher.addEventListener("rejected", ({ detail }) => tab.problems.push(`rejected ${detail.version}: ${detail.code}: ${detail.message}`));
  watcher.addEventListener("error", ({ detail }) => tab.problems.push(`error: ${detail.code}: ${detail.message}`));
  tab.watcher = watcher;
  return watcher.role;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

let env;
let cli;
let dir;
let registry;
before(async () => {
  cli = buildCli();
  dir = mkdtempSync(join(tmpdir(), "hotswap-tabs-"));
  const v1 = await publish(cli, dir, "www/build/counter-v1.wasm", "1.0.0");
  assert.ok(JSON.stringify(v1).includes("1.0.0"), JSON.stringify(v1));
  registry = await registryServer(dir);
  env = await start();
});
after(async () => {
  await env?.stop();
  await registry?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("two tabs watching one package share one poller and both swap, and the other tab takes over when the poller closes", { timeout: 50_000 }, async () => {
  // Tab A through the harness (its page errors are recorded); tab B in the same context, so
  // the two share the origin's Web Locks and BroadcastChannels, as two tabs of one profile.
  const a = await env.page();
  try {
    const context = a.page.context();
    const tabs = { A: { page: a.page, errors: a.errors }, B: { page: await context.newPage(), errors: [] } };
    tabs.B.page.on("pageerror", (error) => tabs.B.errors.push(error));
    tabs.B.page.on("console", (msg) => {
      if (msg.type() === "error") process.stderr.write(`[page B console] ${msg.text()}\n`);
    });
    const counts = { A: 3, B: 7 };
    for (const [id, tab] of Object.entries(tabs)) {
      await tab.page.goto(new URL("tests/e2e/fixtures/app.html", env.url).href);
      await tab.page.waitForFunction(() => window.appResult !== undefined, null, { timeout: PATIENCE });
      const loaded = await tab.page.evaluate(loadTab, [registry.url, NAME, id, counts[id]]);
      assert.deepEqual(loaded, { version: "1.0.0", count: counts[id] }, `tab ${id} loaded`);
    }
    const role = (id) => tabs[id].page.evaluate(() => window.tab.watcher.role);

    // One tab watching: it takes the lock and polls every INTERVAL. Count its polls.
    await tabs.A.page.evaluate(watchTab, INTERVAL);
    await tabs.A.page.waitForFunction(() => window.tab.watcher.role === "leader", null, { timeout: PATIENCE });
    await sleep(2 * INTERVAL);
    let since = performance.now();
    await sleep(WINDOW);
    const alone = registry.polls(since).length;
    assert.ok(alone >= 3, `one watching tab polled ${alone} times in ${WINDOW} ms at an interval of ${INTERVAL} ms`);

    // Both tabs watching: still one poller. B waits for the lock and sends no index request.
    const watchedFrom = performance.now();
    await tabs.B.page.evaluate(watchTab, INTERVAL);
    await sleep(2 * INTERVAL);
    since = performance.now();
    await sleep(WINDOW);
    const both = registry.polls(since);
    assert.deepEqual([await role("A"), await role("B")], ["leader", "follower"]);
    assert.equal(registry.polls(watchedFrom, "B").length, 0, "the follower tab requested the index");
    assert.ok(
      both.length <= Math.ceil(1.5 * alone) + 2,
      `two watching tabs polled ${both.length} times in ${WINDOW} ms, one alone ${alone} times: more than one poller`,
    );
    assert.ok(both.length >= 3, `the leader went on polling (${both.length} polls in ${WINDOW} ms)`);

    // A new version: the leader's poll finds it and shares the index; each tab swaps itself.
    const published = performance.now();
    await publish(cli, dir, "www/build/counter-v2.wasm", "1.1.0");
    for (const [id, tab] of Object.entries(tabs)) {
      await tab.page
        .waitForFunction(() => window.tab.applied.length + window.tab.problems.length > 0, null, { timeout: PATIENCE })
        .catch(() => assert.fail(`tab ${id} got no applied event within ${PATIENCE} ms of the publish`));
    }
    for (const [id, tab] of Object.entries(tabs)) {
      const after = await tab.page.evaluate(() => {
        const { m, available, applied, problems, watcher } = window.tab;
        return {
          available,
          applied,
          problems,
          version: m.version,
          count: m.exports.get(),
          decrement: typeof m.exports.decrement === "function" ? m.exports.decrement(1) : "no decrement",
          role: watcher.role,
        };
      });
      assert.deepEqual(
        after,
        {
          available: ["1.1.0"],
          applied: ["1.1.0"],
          problems: [],
          version: "1.1.0",
          count: counts[id],
          decrement: counts[id] - 1,
          role: id === "A" ? "leader" : "follower",
        },
        `tab ${id} after the publish`,
      );
      counts[id] -= 1;
    }
    assert.equal(registry.polls(watchedFrom, "B").length, 0, "the follower tab requested the index");
    const blobs = (id) => registry.requests.filter((r) => r.path.startsWith("/blobs/") && r.tab === id && r.at >= published);
    assert.equal(blobs("A").length, 1, "the leader fetched v2's blob once");
    assert.equal(blobs("B").length, 1, "the follower fetched v2's blob itself, once");

    // The polling tab closes: B gets the lock, becomes the leader, and polls at once.
    const closed = performance.now();
    await tabs.A.page.close();
    await tabs.B.page
      .waitForFunction(() => window.tab.watcher.role === "leader", null, { timeout: PATIENCE })
      .catch(() => assert.fail(`tab B did not become the leader within ${PATIENCE} ms of tab A closing`));
    const tookOver = performance.now() - closed;
    const deadline = performance.now() + PATIENCE;
    while (registry.polls(closed, "B").length < 2 && performance.now() < deadline) await sleep(50);
    const takeover = registry.polls(closed);
    assert.ok(takeover.length >= 2, `the new leader polled ${takeover.length} times`);
    assert.ok(
      takeover.every((r) => r.tab === "B"),
      `index requests after tab A closed: ${JSON.stringify(takeover.map((r) => r.tab))}`,
    );
    const b = await tabs.B.page.evaluate(() => {
      const { m, applied, problems } = window.tab;
      return { applied, problems, version: m.version, count: m.exports.get() };
    });
    assert.deepEqual(b, { applied: ["1.1.0"], problems: [], version: "1.1.0", count: counts.B }, "tab B as leader");

    for (const [id, tab] of Object.entries(tabs)) {
      assert.deepEqual(tab.errors.map(String), [], `uncaught errors in tab ${id}`);
    }
    console.log(
      `tabs: ${alone} polls in ${WINDOW} ms with one tab, ${both.length} with two (none from the follower);` +
        ` takeover ${tookOver.toFixed(0)} ms after the leader closed`,
    );
  } finally {
    await a.close();
  }
});
