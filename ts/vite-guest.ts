// wasm-hotswap/vite, one guest's rebuild: cargo, then wasm-bindgen (for a crate), then
// `hotswap publish --next` into a registry folder. The CLI decides the version and every
// publish rule, so the plugin and `hotswap serve --watch` publish alike.
import { spawn } from "node:child_process";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";

/** A guest the plugin builds: a Rust crate, or a module file or wasm-bindgen output folder. */
export type Guest =
  | {
      /** The registry package name, as the page loads it: `{ registry, name, range }`. */
      name: string;
      /** The crate's folder (with its Cargo.toml), relative to Vite's root. */
      crate: string;
      /** The cargo profile: `release` unless set. */
      profile?: string;
      /** More arguments for `cargo build` (`--features`, …). */
      cargoArgs?: string[];
    }
  | {
      name: string;
      /** A `.wasm` file, or a folder `wasm-bindgen --target web` wrote (`*_bg.wasm` and its `.js`). */
      wasm: string;
      /** The JS glue of a `.wasm` file given in `wasm`, when it is not in a folder. */
      glue?: string;
    };

/** The programs a rebuild runs. */
export interface Tools {
  cargo: string;
  wasmBindgen: string;
  /** The `hotswap` CLI. */
  cli: string;
}

/** Where each rebuild's time went, in milliseconds. */
export interface Timings {
  cargo?: number;
  bindgen?: number;
  publish: number;
  total: number;
}

/** A published rebuild, or one equal to the newest version (`unchanged`). */
export interface Published {
  name: string;
  version: string;
  digest?: string;
  unchanged: boolean;
  timings: Timings;
}

/** A rebuild that failed: which stage, and what it printed. */
export class GuestBuildError extends Error {
  constructor(
    readonly guest: string,
    readonly stage: "cargo" | "wasm-bindgen" | "publish",
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "GuestBuildError";
  }
}

/** The files whose change means a rebuild: a crate's folder (without `target/`), or the wasm. */
export function sources(guest: Guest, root: string): string[] {
  return "crate" in guest ? [resolve(root, guest.crate)] : [resolve(root, guest.wasm), ...(guest.glue ? [resolve(root, guest.glue)] : [])];
}

/** Builds `guest` (crates only) into `out` and publishes it as the next version into `registry`. */
export async function rebuild(guest: Guest, root: string, tools: Tools, registry: string, out: string): Promise<Published> {
  const started = performance.now();
  const timings: Partial<Timings> = {};
  let module: string;
  let glue: string | undefined;
  if ("crate" in guest) {
    const t = performance.now();
    const wasm = await cargoBuild(guest, root, tools.cargo);
    timings.cargo = performance.now() - t;
    const b = performance.now();
    [module, glue] = await bindgen(guest.name, wasm, tools.wasmBindgen, out);
    timings.bindgen = performance.now() - b;
  } else {
    [module, glue] = await wasmFiles(guest, root);
  }
  const p = performance.now();
  const args = ["publish", module, ...(glue ? ["--glue", glue] : []), "--name", guest.name, "--next", "--registry", registry, "--json"];
  const run = await exec(tools.cli, args, root);
  timings.publish = performance.now() - p;
  const json = parseJson(run.stdout);
  if (run.code !== 0 || !json || json.error) {
    const error = json?.error;
    throw new GuestBuildError(guest.name, "publish", error ? `${error.code}: ${error.message}` : run.stderr || run.stdout, error?.code);
  }
  timings.total = performance.now() - started;
  return { name: guest.name, version: json.version, digest: json.digest, unchanged: json.unchanged === true, timings: timings as Timings };
}

async function cargoBuild(guest: Extract<Guest, { crate: string }>, root: string, cargo: string): Promise<string> {
  const manifest = resolve(root, guest.crate, "Cargo.toml");
  const args = ["build", "--manifest-path", manifest, "--target", "wasm32-unknown-unknown", "--profile", guest.profile ?? "release",
    "--message-format=json-render-diagnostics", "--color=never", ...(guest.cargoArgs ?? [])];
  const run = await exec(cargo, args, root);
  if (run.code !== 0) {
    // The rendered diagnostics, without cargo's progress lines.
    const text = run.stderr.split("\n").filter((l) => !/^\s+(Compiling|Finished|Blocking|Updating|Locking|Downloaded?)\b/.test(l)).join("\n");
    throw new GuestBuildError(guest.name, "cargo", text.trim() || `cargo exited with ${run.code}`);
  }
  // The crate's own cdylib, from cargo's artifact messages (the target folder may be anywhere).
  for (const line of run.stdout.split("\n")) {
    const m = parseJson(line);
    if (m?.reason === "compiler-artifact" && m.manifest_path === manifest)
      for (const file of m.filenames as string[]) if (file.endsWith(".wasm")) return file;
  }
  throw new GuestBuildError(guest.name, "cargo", `${manifest}: cargo built no .wasm: is the crate a cdylib?`);
}

async function bindgen(name: string, wasm: string, program: string, out: string): Promise<[string, string]> {
  const dir = join(out, name.replace(/\//g, "__"));
  await rm(dir, { recursive: true, force: true }); // no snippet of an earlier build may linger
  await mkdir(dir, { recursive: true });
  const run = await exec(program, ["--target", "web", "--out-dir", dir, wasm], out);
  if (run.code !== 0) throw new GuestBuildError(name, "wasm-bindgen", run.stderr.trim() || `wasm-bindgen exited with ${run.code}`);
  const stem = basename(wasm, ".wasm");
  return [join(dir, `${stem}_bg.wasm`), join(dir, `${stem}.js`)];
}

async function wasmFiles(guest: Extract<Guest, { wasm: string }>, root: string): Promise<[string, string | undefined]> {
  const path = resolve(root, guest.wasm);
  if (!(await stat(path)).isDirectory()) return [path, guest.glue && resolve(root, guest.glue)];
  const module = (await readdir(path)).find((f) => f.endsWith("_bg.wasm"));
  if (!module) throw new GuestBuildError(guest.name, "publish", `${path}: no *_bg.wasm: not a wasm-bindgen output folder`);
  return [join(path, module), join(path, module.replace(/_bg\.wasm$/, ".js"))];
}

function exec(program: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(program, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (e) => done({ code: -1, stdout, stderr: `${program}: ${e.message}` }));
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
