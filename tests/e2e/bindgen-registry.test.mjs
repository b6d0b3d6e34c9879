// wasm-bindgen guests through a registry: the CLI publishes module and glue together (`hotswap
// publish --glue`), and the page loads `{ registry, name, range }`, swaps with `{ version }`
// and follows the registry with `m.watch()`, each time fetching and verifying both blobs the
// index entry names.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { start } from "./harness.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
// Inside www/build/ (git-ignored), so that the test's static server serves it.
const REGISTRY = join(ROOT, "www/build/registry-bindgen");

let env, cli;
before(async () => {
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0, "cargo build -p hotswap-cli");
  cli = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");
  env = await start();
});
after(async () => {
  await env?.stop();
  rmSync(REGISTRY, { recursive: true, force: true });
});

function publish(v, version) {
  const dir = join(ROOT, `www/build/notes_${v}`);
  const args = ["publish", join(dir, `notes_${v}_bg.wasm`), "--glue", join(dir, `notes_${v}.js`),
    "--name", "notes", "--version", version, "--registry", REGISTRY, "--json"];
  const run = spawnSync(cli, args, { encoding: "utf8" });
  assert.equal(run.status, 0, `hotswap ${args.join(" ")}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

test("a wasm-bindgen guest published with its glue loads, swaps and is watched from the registry", async () => {
  rmSync(REGISTRY, { recursive: true, force: true });
  mkdirSync(REGISTRY, { recursive: true });
  publish("v1", "1.0.0");
  const index = JSON.parse(readFileSync(join(REGISTRY, "packages/notes/index.json"), "utf8"));
  assert.match(index.versions[0].glue?.digest ?? "", /^sha256:[0-9a-f]{64}$/, "the entry names the glue");

  const tab = await env.page();
  try {
    await tab.page.goto(new URL("tests/e2e/fixtures/app.html", env.url).href);
    const loaded = await tab.page.evaluate(async () => {
      const { HotModule } = await import("/dist/updates.js");
      const from = { registry: "/www/build/registry-bindgen", name: "notes", range: "^1" };
      const m = await HotModule.load(from);
      m.exports.add("milk");
      // A second module follows the registry with a watch.
      const w = await HotModule.load(from);
      w.exports.add("tea");
      const watcher = w.watch({ interval: 100, shared: false });
      window.watched = new Promise((done) => {
        watcher.addEventListener("applied", (e) => done({ applied: e.detail.version }));
        watcher.addEventListener("rejected", (e) => done({ rejected: `${e.detail.code}: ${e.detail.message}` }));
        setTimeout(() => done({ timeout: true }), 15_000);
      }).then((outcome) => (watcher.stop(), { outcome, version: w.version, list: w.exports.list() }));
      window.notes = m;
      return { version: m.version, list: m.exports.list() };
    });
    assert.deepEqual(loaded, { version: "1.0.0", list: ["milk"] });

    publish("v2", "1.1.0");
    const swapped = await tab.page.evaluate(async () => {
      const m = window.notes;
      const report = await m.swap({ version: "1.1.0" });
      m.exports.pin(0, true);
      return { version: m.version, list: m.exports.list(), pinned: m.exports.is_pinned(0), bytes: report.stateBytes };
    });
    assert.equal(swapped.version, "1.1.0");
    assert.deepEqual(swapped.list, ["milk"]);
    assert.equal(swapped.pinned, true);
    assert.ok(swapped.bytes > 0);

    const watched = await tab.page.evaluate(() => window.watched);
    assert.deepEqual(watched, { outcome: { applied: "1.1.0" }, version: "1.1.0", list: ["tea"] });
    assert.deepEqual(tab.errors.map(String), []);
  } finally {
    await tab.close();
  }
});
