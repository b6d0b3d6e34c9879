// The packed package on server runtimes: Node (this one, >= 20), Deno 2 and Bun from their npm
// packages' binaries, each running tests/e2e/fixtures/server-app.mjs against the tarball
// `npm pack` makes, installed as node_modules/wasm-hotswap of a scratch app: `load({ bytes })`,
// `load({ url: "file:…" })`, a swap to a path, a registry over HTTP (published by the CLI,
// served by scripts/serve.mjs) and `watch`. And Cloudflare's workerd, which refuses to compile
// Wasm at run time: the runtime fails there with WASM_COMPILE_FORBIDDEN.
//
//   node --test tests/e2e/servers.test.mjs      (after `bash scripts/build.sh`)
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { serve } from "../../scripts/serve.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const BIN = join(ROOT, "node_modules/.bin");
const REGISTRY = join(ROOT, "www/build/registry-servers");

let app, server, cli, manifest;
before(async () => {
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0, "cargo build -p hotswap-cli");
  cli = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");
  manifest = JSON.parse(readFileSync(join(ROOT, "www/build/manifest.json"), "utf8"));
  // A scratch app with the tarball installed, as `npm install` would leave it.
  app = mkdtempSync(join(tmpdir(), "wasm-hotswap-servers-"));
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", app], { cwd: ROOT, encoding: "utf8" }));
  const installed = join(app, "node_modules/wasm-hotswap");
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["-xzf", join(app, filename), "-C", installed, "--strip-components=1"]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "server-app", type: "module", private: true, dependencies: { "wasm-hotswap": "*" } }));
  copyFileSync(join(ROOT, "tests/e2e/fixtures/server-app.mjs"), join(app, "server-app.mjs"));
  rmSync(REGISTRY, { recursive: true, force: true });
  server = await serve({ port: 0 });
});
after(async () => {
  await server?.close();
  if (app) rmSync(app, { recursive: true, force: true });
  rmSync(REGISTRY, { recursive: true, force: true });
});

function publish(name, guest, version) {
  const run = spawnSync(cli, ["publish", "--json", join(ROOT, "www/build", `counter-${guest}.wasm`), "--name", name, "--version", version, "--registry", REGISTRY], { encoding: "utf8" });
  assert.equal(run.status, 0, `publish ${name}@${version}: ${run.stderr}`);
}

/** Runs server-app.mjs with `command`, publishing 1.1.0 of `name` when it watches; its result. */
function runApp(command, args, name) {
  const counter = (v) => ({ path: join(ROOT, "www", manifest.counter[v].url), digest: manifest.counter[v].digest });
  const input = JSON.stringify({ v1: counter("v1"), v2: counter("v2"), registry: `${server.url}www/build/registry-servers/`, name });
  return new Promise((done, fail) => {
    const child = spawn(command, [...args, "server-app.mjs", input], { cwd: app, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "", result;
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stderr.on("data", (chunk) => (err += chunk));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      for (;;) {
        const nl = out.indexOf("\n");
        if (nl < 0) break;
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        const message = JSON.parse(line);
        if (message.watching) publish(name, "v2", "1.1.0");
        if (message.result) result = message.result;
      }
    });
    child.on("error", fail);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      if (status === 0 && result) done(result);
      else fail(new Error(`${command} ${args.join(" ")} server-app.mjs: exit ${status ?? signal}\n${err}`));
    });
  });
}

function assertAppWorked(result) {
  assert.equal(result.entry, "wasm-hotswap/dist/updates.node.js", "the `node` condition");
  assert.deepEqual(result.firstPath, { version: "1.0.0", count: 1 }, "the first load, before initRuntime, from a path");
  assert.deepEqual(result.bytes, { version: "1.0.0", count: 2 }, "load({ bytes })");
  assert.deepEqual(result.swap, { from: "1.0.0", to: "1.1.0", version: "1.1.0", count: 5 }, "load({ url: file: }), swap to a path, count kept");
  assert.equal(result.missing.isHotSwapError, true, result.missing.message);
  assert.equal(result.missing.code, "FETCH_FAILED");
  assert.equal(result.tampered.code, "HASH_MISMATCH", result.tampered.message);
  assert.deepEqual(result.registry, { version: "1.0.0" }, "load from a registry over HTTP");
  assert.deepEqual(result.watch, { applied: "1.1.0", version: "1.1.0", count: 3 }, "watch swapped to the published version");
}

const RUNTIMES = [
  ["node", process.execPath, []],
  ["deno", join(BIN, "deno"), ["run", "--allow-read", "--allow-net", "--allow-env"]],
  ["bun", join(BIN, "bun"), ["run"]],
];

describe("server runtimes", { timeout: 240_000 }, () => {
  for (const [runtime, command, args] of RUNTIMES) {
    test(`on ${runtime} the package loads from a path as its first load, from bytes, files and a registry, swaps and watches`, async () => {
      const name = `servers/${runtime}`;
      publish(name, "v1", "1.0.0");
      assertAppWorked(await runApp(command, args, name));
    });
  }
});

/** A free port on 127.0.0.1. */
function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
    probe.on("error", fail);
  });
}

test("workerd refuses to compile Wasm at run time, and load says so with WASM_COMPILE_FORBIDDEN", { timeout: 60_000 }, async () => {
  const dir = join(app, "workerd");
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(ROOT, "tests/e2e/fixtures/workerd-app.mjs"), join(app, "workerd-app.mjs"));
  // Bundled as wrangler does (esbuild, the `workerd`/`worker`/`browser` conditions), the .wasm
  // and the guest's bytes left as modules of the Worker.
  execFileSync(join(BIN, "esbuild"), ["workerd-app.mjs", "--bundle", "--format=esm", "--platform=neutral", "--conditions=workerd,worker,browser", "--external:./wasm_hotswap_bg.wasm", "--external:./counter.bin", "--log-level=warning", `--outfile=${join(dir, "worker.mjs")}`], { cwd: app, stdio: "inherit" });
  copyFileSync(join(app, "node_modules/wasm-hotswap/pkg/wasm_hotswap_bg.wasm"), join(dir, "wasm_hotswap_bg.wasm"));
  copyFileSync(join(ROOT, "www", manifest.counter.v1.url), join(dir, "counter.bin"));
  writeFileSync(join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "wasm_hotswap_bg.wasm", wasm = embed "wasm_hotswap_bg.wasm"),
    (name = "counter.bin", data = embed "counter.bin"),
  ],
  compatibilityDate = "2024-09-23",
);
`);
  const port = await freePort();
  const workerd = spawn(join(BIN, "workerd"), ["serve", "config.capnp", "--socket-addr", `http=127.0.0.1:${port}`], { cwd: dir, stdio: ["ignore", "inherit", "inherit"] });
  try {
    const url = `http://127.0.0.1:${port}/?digest=${encodeURIComponent(manifest.counter.v1.digest)}`;
    let response;
    for (let tries = 0; !response; tries++) {
      response = await fetch(url).catch((e) => (tries < 100 ? null : Promise.reject(e)));
      if (!response) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(response.status, 200, await response.clone().text());
    const result = await response.json();
    assert.equal(result.direct.name, "CompileError", "workerd itself refuses: " + result.direct.message);
    assert.match(result.direct.message, /disallowed/);
    for (const how of ["bytes", "url"]) {
      assert.equal(result[how].isHotSwapError, true, `${how}: ${JSON.stringify(result[how])}`);
      assert.equal(result[how].code, "WASM_COMPILE_FORBIDDEN", result[how].message);
      assert.match(result[how].message, /forbids compiling WebAssembly at run time.*workerd/);
    }
  } finally {
    workerd.kill();
  }
});
