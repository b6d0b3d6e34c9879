// Figure 10's build step, in Node: the Rust counter components of examples/rust-component
// (built by its build.sh) published by the CLI as `counter` 1.0.0 (v1) and 1.1.0 (v2) into a
// static registry under bench/build/components/registry/, which bench/server.mjs serves (with
// fresh copies of every glue and core module for each repetition, see `freshComponent`). Also
// the sizes figure 10 reports: the transpiled JS and core modules gzipped, preview2-shim's
// browser WASI as an app bundles it, and the JS of the same world without WASI imports.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
export const COMPONENTS = join(ROOT, "bench/build/components");
export const REGISTRY = join(COMPONENTS, "registry");
/** The registry's URL path on the bench server. */
export const REGISTRY_PATH = "/bench/build/components/registry/";
export const PACKAGE = "counter";
const GUESTS = join(COMPONENTS, "guests");
const JCO = join(ROOT, "node_modules/.bin/jco");
const ESBUILD = join(ROOT, "node_modules/.bin/esbuild");

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const blob = (digest) => readFileSync(join(REGISTRY, "blobs/sha256", digest.slice("sha256:".length)));

function cli() {
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) throw new Error("cargo build -p hotswap-cli failed");
  return join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");
}

function hotswap(bin, args) {
  const run = spawnSync(bin, [...args, "--json"], { cwd: ROOT, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`hotswap ${args.join(" ")}: ${run.stderr || run.stdout}`);
  return JSON.parse(run.stdout);
}

/**
 * Builds the example components, publishes v1 as 1.0.0 and v2 as 1.1.0 into a registry made
 * afresh, and measures the sizes. Returns the registry's index and the sizes.
 */
export function prepareComponents(log = () => {}) {
  log("10 build: examples/rust-component/build.sh, cargo build -p hotswap-cli, hotswap publish");
  execFileSync("bash", ["examples/rust-component/build.sh", GUESTS], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  const bin = cli();
  rmSync(REGISTRY, { recursive: true, force: true });
  for (const [guest, version] of [["v1", "1.0.0"], ["v2", "1.1.0"]]) {
    const file = join(GUESTS, `counter-${guest}.component.wasm`);
    hotswap(bin, ["publish", file, "--name", PACKAGE, "--version", version, "--registry", REGISTRY]);
  }
  const index = JSON.parse(readFileSync(join(REGISTRY, "packages", PACKAGE, "index.json"), "utf8"));
  return { index, sizes: componentSizes(bin, index) };
}

/**
 * The sizes, in bytes (raw and gzip -9): v1's transpiled JS and core modules, preview2-shim's
 * browser WASI bundled and minified by esbuild from an entry importing `WASIShim`, and the JS
 * jco writes for a component of the same world with no imports at all (a WAT core module of
 * stubs, tests/e2e/fixtures/trap-start.wat without its start), against the Rust one's.
 */
function componentSizes(bin, index) {
  const v1 = index.versions.find((v) => v.version === "1.0.0");
  const glue = blob(v1.glue.digest);
  const cores = v1.cores.map((c) => ({ name: c.name, raw: c.size, gz: gz(blob(c.digest)) }));

  // preview2-shim's browser WASI, as an app's bundler would ship it.
  const dir = join(COMPONENTS, "sizes");
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, "wasi-entry.mjs");
  writeFileSync(entry, 'export { WASIShim } from "@bytecodealliance/preview2-shim/instantiation";\n');
  const wasiOut = join(dir, "wasi-bundle.js");
  const esbuildArgs = [entry, "--bundle", "--minify", "--format=esm", "--platform=browser", "--conditions=browser", "--log-level=warning", `--outfile=${wasiOut}`];
  execFileSync(ESBUILD, esbuildArgs, { cwd: ROOT, stdio: "inherit" });
  const wasi = readFileSync(wasiOut);

  // The same world (counter.wit 1.0.0) with no WASI imports: a core module of stubs.
  const wat = join(dir, "no-wasi.wat");
  const fixture = readFileSync(join(ROOT, "tests/e2e/fixtures/trap-start.wat"), "utf8");
  writeFileSync(wat, fixture.replace("(func $trap unreachable)", "").replace("(start $trap)", ""));
  const core = join(dir, "no-wasi.core.wasm"), embedded = join(dir, "no-wasi.embedded.wasm");
  const component = join(dir, "no-wasi.component.wasm"), scratch = join(dir, "registry");
  execFileSync(JCO, ["parse", wat, "-o", core], { stdio: "ignore" });
  hotswap(bin, ["embed-wit", core, "--wit", join(ROOT, "examples/rust-component/v1/wit/counter.wit"), "--output", embedded]);
  execFileSync(JCO, ["new", embedded, "-o", component], { stdio: "ignore" });
  // Transpiled the way every component is, by `hotswap publish` (jco transpile --instantiation
  // async --minify ...), into a scratch registry.
  rmSync(scratch, { recursive: true, force: true });
  const published = hotswap(bin, ["publish", component, "--name", "no-wasi", "--version", "1.0.0", "--registry", scratch]);
  const noWasiJs = readFileSync(published.glue.blob);
  // The WASI interfaces the JS reads from `imports` (`imports["wasi:cli/stdout"]`, ...).
  const imports = (text) => new Set(text.match(/wasi:[a-z-]+\/[a-z-]+/g) ?? []).size;

  return {
    glue: { raw: glue.length, gz: gz(glue), wasiInterfaces: imports(glue.toString()) },
    cores,
    coresGz: cores.reduce((n, c) => n + c.gz, 0),
    coresRaw: cores.reduce((n, c) => n + c.raw, 0),
    // The component itself, which the runtime also fetches (to inspect and gate it).
    component: { raw: v1.size, gz: gz(blob(v1.digest)) },
    wasiShim: { raw: wasi.length, gz: gz(wasi), command: `esbuild ${esbuildArgs.map((a) => a.replace(ROOT + "/", "")).join(" ")}` },
    noWasiGlue: { raw: noWasiJs.length, gz: gz(noWasiJs), wasiInterfaces: imports(noWasiJs.toString()) },
  };
}
