// The packed package in every bundler apps use, with no bundler configuration: one consumer app
// (tests/e2e/bundlers/app/) built by Vite 7 and 8 (build and dev server), webpack 5, esbuild,
// Rollup with only @rollup/plugin-node-resolve, Parcel 2, and run without a bundler through an
// import map; each one driven in Chromium. Every project is a temporary folder whose
// node_modules/wasm-hotswap is the tarball `npm pack` made; the bundlers run from this
// repository's node_modules with that folder as their root. Nothing is installed.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { start } from "./harness.mjs";
import { serve } from "../../scripts/serve.mjs";

const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const APP = join(REPO, "tests/e2e/bundlers/app");
const BIN = (path) => join(REPO, "node_modules", path);
const GUESTS = ["counter-v1.wasm", "counter-v2.wasm", "manifest.json"];

/** Runs `node script ...args` in `cwd` (`script` in node_modules); rejects with its output if it fails. */
function node(cwd, script, args) {
  return run(cwd, process.execPath, [BIN(script), ...args]);
}

async function run(cwd, file, args) {
  try {
    return await promisify(execFile)(file, args, {
      cwd,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", BROWSERSLIST_IGNORE_OLD_DATA: "1" },
      maxBuffer: 16 << 20,
    });
  } catch (error) {
    throw new Error(`${file} ${args.join(" ")} failed:\n${error.stdout}\n${error.stderr}`, { cause: error });
  }
}

/** Waits for all of `promises`, then rejects with the first failure (so none writes after `after`). */
async function settled(promises) {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
}

/** Copies the counter guests and the manifest to `dir`/guests/build/ (the app's `www`). */
function copyGuests(dir) {
  mkdirSync(join(dir, "guests/build"), { recursive: true });
  for (const file of GUESTS) cpSync(join(REPO, "www/build", file), join(dir, "guests/build", file));
}

/** `html` with the bundle at `src` in place of the app's ./main.js. */
function page(src, { module = true } = {}) {
  const html = readFileSync(join(APP, "index.html"), "utf8");
  const script = `<script type="module" src="./main.js"></script>`;
  assert.ok(html.includes(script));
  return html.replace(script, module ? `<script type="module" src="${src}"></script>` : `<script src="${src}"></script>`);
}

describe("bundlers", { timeout: 300_000 }, () => {
  let launched; // the browser, started while the bundlers build
  let env;
  let root;
  let manifest;
  const builds = {}; // name -> { dir (served), ms }
  const servers = [];
  const devServers = [];

  /**
   * A fresh project: the app, a package.json, the unpacked tarball, the guests under public/.
   * `entry` is the package's entry point the app imports (`.` as written, or e.g. `./updates`).
   */
  function project(name, tarball, entry = ".") {
    const dir = join(root, name);
    cpSync(APP, dir, { recursive: true });
    if (entry !== ".") {
      const main = readFileSync(join(dir, "main.js"), "utf8");
      writeFileSync(join(dir, "main.js"), main.replace(`from "wasm-hotswap"`, `from "wasm-hotswap/${entry.slice(2)}"`));
    }
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `app-${name}`, private: true, type: "module" }));
    const installed = join(dir, "node_modules/wasm-hotswap");
    mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
    copyGuests(join(dir, "public"));
    return dir;
  }

  /** Builds project `name` with `build(dir)`, which resolves to the folder to serve. */
  async function timed(name, tarball, build, entry = ".") {
    const t = performance.now();
    const dir = project(name, tarball, entry);
    const out = await build(dir);
    builds[name] = { dir: out, entry, ms: Math.round(performance.now() - t) };
  }

  /** Vite's dev server, started from its JS API with no config file, on a free port. */
  async function viteDev(name, tarball, specifier) {
    const t = performance.now();
    const dir = project(name, tarball);
    const { createServer } = await import(specifier);
    const server = await createServer({
      root: dir,
      configFile: false,
      logLevel: "error",
      server: { host: "127.0.0.1", port: 0, strictPort: false },
    });
    devServers.push(server);
    await server.listen();
    const { port } = server.httpServer.address();
    builds[name] = { url: `http://127.0.0.1:${port}/`, ms: Math.round(performance.now() - t) };
  }

  before(async () => {
    const t0 = performance.now();
    manifest = JSON.parse(readFileSync(join(REPO, "www/build/manifest.json"), "utf8"));
    root = mkdtempSync(join(tmpdir(), "wasm-hotswap-bundlers-"));
    const [{ filename }] = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", root], { cwd: REPO, encoding: "utf8" }),
    );
    const tarball = join(root, filename);
    launched = start();

    await settled([
      timed("vite8", tarball, async (dir) => {
        await node(dir, "vite/bin/vite.js", ["build", "--logLevel", "warn"]);
        return join(dir, "dist");
      }),
      timed("vite7", tarball, async (dir) => {
        await node(dir, "vite7/bin/vite.js", ["build", "--logLevel", "warn"]);
        return join(dir, "dist");
      }),
      timed("webpack", tarball, async (dir) => {
        await node(dir, "webpack-cli/bin/cli.js", ["--mode", "production", "--entry", "./main.js", "--no-stats"]);
        const out = join(dir, "dist");
        writeFileSync(join(out, "index.html"), page("main.js", { module: false }));
        copyGuests(out);
        return out;
      }),
      timed("esbuild", tarball, async (dir) => {
        await run(dir, BIN(".bin/esbuild"), ["main.js", "--bundle", "--format=esm", "--outdir=dist", "--log-level=warning"]);
        const out = join(dir, "dist");
        // The one step esbuild needs: the runtime's wasm next to the bundle (README).
        cpSync(join(dir, "node_modules/wasm-hotswap/pkg/wasm_hotswap_bg.wasm"), join(out, "wasm_hotswap_bg.wasm"));
        writeFileSync(join(out, "index.html"), page("main.js"));
        copyGuests(out);
        return out;
      }),
      timed("rollup", tarball, async (dir) => {
        const { rollup } = await import("rollup");
        const { nodeResolve } = await import("@rollup/plugin-node-resolve");
        const bundle = await rollup({ input: join(dir, "main.js"), plugins: [nodeResolve()] });
        const out = join(dir, "dist");
        await bundle.write({ dir: out, format: "es" });
        await bundle.close();
        // The one step Rollup needs: the runtime's wasm next to the bundle (README).
        cpSync(join(dir, "node_modules/wasm-hotswap/pkg/wasm_hotswap_bg.wasm"), join(out, "wasm_hotswap_bg.wasm"));
        writeFileSync(join(out, "index.html"), page("main.js"));
        copyGuests(out);
        return out;
      }),
      ...[".", "./updates"].map((entry) =>
        timed(entry === "." ? "parcel" : `parcel ${entry}`, tarball, async (dir) => {
          await node(dir, "parcel/lib/bin.js", ["build", "index.html", "--no-autoinstall", "--log-level", "warn"]);
          const out = join(dir, "dist");
          copyGuests(out);
          return out;
        }, entry),
      ),
      timed("no bundler", tarball, async (dir) => {
        // The page as it is, the package mapped to its file in node_modules.
        const map = `<script type="importmap">{"imports":{"wasm-hotswap":"./node_modules/wasm-hotswap/dist/index.js"}}</script>`;
        writeFileSync(join(dir, "index.html"), readFileSync(join(dir, "index.html"), "utf8").replace("</head>", `  ${map}\n</head>`));
        copyGuests(dir);
        return dir;
      }),
    ]);
    await settled([viteDev("vite8 dev", tarball, "vite"), viteDev("vite7 dev", tarball, "vite7")]);
    for (const b of Object.values(builds)) {
      if (b.dir) {
        const server = await serve({ root: b.dir, port: 0 });
        servers.push(server);
        b.url = new URL("index.html", server.url).href; // serve() redirects `/` to the demo
      }
    }
    env = await launched;
    const times = Object.entries(builds).map(([name, { ms }]) => `${name} ${ms} ms`);
    process.stderr.write(`bundlers: ready in ${Math.round(performance.now() - t0)} ms (${times.join(", ")})\n`);
  });

  after(async () => {
    await Promise.all(devServers.map((s) => s.close()));
    await Promise.all(servers.map((s) => s.close()));
    await launched?.then((browser) => browser.stop(), () => {});
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Opens the app at `url`; resolves with what it wrote into `window` once it has finished. */
  async function openApp(url) {
    const tab = await env.page();
    try {
      await tab.page.goto(url);
      await tab.page.waitForFunction(() => window.appResult !== undefined, null, { timeout: 30_000 }).catch(() => {
        throw new Error(`app did not finish: ${tab.errors.map(String).join("; ") || "no page error"}`);
      });
      const result = await tab.page.evaluate(() => window.appResult);
      assert.deepEqual(tab.errors.map(String), [], "uncaught errors on the page");
      return { result, shown: await tab.page.textContent("#result") };
    } finally {
      await tab.close();
    }
  }

  /** The bundle's .wasm files outside guests/: the runtime's, and only the one its entry uses. */
  function assertOneRuntimeWasm(name) {
    const { dir } = builds[name];
    const wasm = readdirSync(dir, { recursive: true })
      .filter((f) => f.endsWith(".wasm") && !f.startsWith("guests"))
      .map((f) => readFileSync(join(dir, f)));
    const pkg = { ".": "pkg", "./updates": "pkg-updates" }[builds[name].entry];
    const runtime = readFileSync(join(root, name, "node_modules/wasm-hotswap", pkg, "wasm_hotswap_bg.wasm"));
    assert.equal(wasm.length, 1, `${name} emitted ${wasm.length} .wasm files`);
    assert.ok(wasm[0].equals(runtime), `${name} emitted the runtime's wasm`);
  }

  const names = ["vite8", "vite8 dev", "vite7", "vite7 dev", "webpack", "esbuild", "rollup", "parcel", "parcel ./updates", "no bundler"];
  for (const name of names) {
    test(`${name}: the app loads the counter and swaps it with its state`, async () => {
      const { result, shown } = await openApp(builds[name].url);
      assert.equal(result.error, undefined, result.error);
      assert.deepEqual(JSON.parse(shown), result, "the DOM shows the result");
      assert.deepEqual(result.v1, { version: "1.0.0", digest: manifest.counter.v1.digest, count: 5 });
      assert.deepEqual(result.v2, { version: "1.1.0", digest: manifest.counter.v2.digest, count: 6, clicks: 1 });
      assert.ok(result.stateBytes > 0, "state moved");
      assert.deepEqual(result.refused, { isHotSwapError: true, code: "INVALID_DIGEST" });
      if (["vite8", "vite7", "webpack", "parcel", "parcel ./updates"].includes(name)) assertOneRuntimeWasm(name);
    });
  }

  test("esbuild without the runtime's wasm next to the bundle: load says which file and what to do", async () => {
    const dir = join(root, "esbuild-no-wasm");
    cpSync(builds.esbuild.dir, dir, { recursive: true });
    rmSync(join(dir, "wasm_hotswap_bg.wasm"));
    const server = await serve({ root: dir, port: 0 });
    servers.push(server);
    const { result } = await openApp(new URL("index.html", server.url).href);
    assert.match(result.error ?? "", /could not load its runtime \(pkg\/wasm_hotswap_bg\.wasm\).*initRuntime\(\)/s);
  });
});
