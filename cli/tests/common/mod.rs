//! Helpers shared by the CLI tests: run the built binary, build modules from WAT, publish.
#![allow(dead_code)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

pub mod component;

/// The shape of `asc --bindings raw` output, shortened (AssemblyScript guests).
pub const BINDINGS: &str = "export async function instantiate(module, imports = {}) {\n  const { exports } = await WebAssembly.instantiate(module, imports);\n  return Object.setPrototypeOf({}, exports);\n}\n";

/// An AssemblyScript module with the glue-level state functions, at the core level.
pub const TALLY: &str = r#"(module
  (import "env" "abort" (func (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "add") (param i32) (result i32) i32.const 1)
  (func (export "save_state") (result i32) i32.const 0)
  (func (export "load_state") (param i32))
  (func (export "__new") (param i32 i32) (result i32) i32.const 0))"#;

/// What one run of `hotswap` printed and exited with.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs the built `hotswap` binary with `args`.
pub fn hotswap<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_hotswap"))
        .args(args)
        .output()
        .expect("the hotswap binary runs");
    let run = Run {
        code: output
            .status
            .code()
            .expect("exited, not killed by a signal"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "hotswap panicked:\n{}",
        run.stderr
    );
    run
}

/// A module built from WAT.
pub fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).unwrap()
}

/// Writes `bytes` as `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Writes the module built from `wat` as `dir/name`.
pub fn module(dir: &Path, name: &str, wat: &str) -> PathBuf {
    write(dir, name, &wasm(wat))
}

/// A stateful counter guest; `extra` is spliced into the module.
pub fn counter(extra: &str) -> String {
    format!(
        r#"(module
  (import "env" "log" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "save_state") (result i32) (i32.const 0))
  (func (export "alloc_state") (param i32) (result i32) (i32.const 0))
  (func (export "load_state") (param i32 i32) (result i32) (i32.const 0))
  (func (export "increment") (param i32) (result i32) (local.get 0))
  {extra})"#
    )
}

/// Where a test publishes: `--registry DIR` or `--oci URL`.
#[derive(Clone, Copy)]
pub enum To<'a> {
    Registry(&'a Path),
    Oci(&'a str),
}

/// `publish MODULE --name=NAME --version=VERSION --registry=DIR | --oci=URL`, without `--json`.
pub fn publish_args(module: &Path, name: &str, version: &str, to: To<'_>) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        "publish".into(),
        module.into(),
        format!("--name={name}").into(),
        format!("--version={version}").into(),
    ];
    match to {
        To::Registry(dir) => args.extend(["--registry".into(), dir.into()]),
        To::Oci(url) => args.push(format!("--oci={url}").into()),
    }
    args
}

/// `hotswap publish --json` of `module` as `name@version` into the registry folder.
pub fn publish(module: &Path, name: &str, version: &str, registry: &Path) -> Run {
    publish_json(module, name, version, To::Registry(registry))
}

/// `hotswap publish --json` of `module` as `name@version` to the OCI repository `oci`.
pub fn publish_oci(module: &Path, name: &str, version: &str, oci: &str) -> Run {
    publish_json(module, name, version, To::Oci(oci))
}

fn publish_json(module: &Path, name: &str, version: &str, to: To<'_>) -> Run {
    let mut args = publish_args(module, name, version, to);
    args.push("--json".into());
    hotswap(&args)
}

/// [`publish`] that must succeed; its JSON report.
pub fn published(module: &Path, name: &str, version: &str, registry: &Path) -> serde_json::Value {
    let run = publish(module, name, version, registry);
    assert_eq!(run.code, 0, "{}", run.stdout);
    run.json()
}

/// A wasm-bindgen `_bg.wasm` as `wasm-bindgen --target web` leaves it: imports from
/// `./notes_bg.js` named `__wbg_log_<hash>` (the hash differs between builds), its own
/// `__wbindgen_*` exports, and the app's `add`; `extra` is spliced into the module.
pub fn bindgen(hash: &str, extra: &str) -> String {
    format!(
        r#"(module
  (import "./notes_bg.js" "__wbg_log_{hash}" (func (param i32 i32)))
  (memory (export "memory") 17)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "__wbindgen_malloc") (param i32 i32) (result i32) (i32.const 8))
  (func (export "__wbindgen_start"))
  {extra})"#
    )
}

/// The `notes.js` glue `wasm-bindgen --target web` writes for [`bindgen`]`(hash, "")`,
/// shortened. The CLI stores it and never runs it.
pub fn glue(hash: &str) -> String {
    format!(
        r#"let wasm;

const cachedTextDecoder = new TextDecoder('utf-8', {{ ignoreBOM: true, fatal: true }});
function getStringFromWasm0(ptr, len) {{
    return cachedTextDecoder.decode(new Uint8Array(wasm.memory.buffer).subarray(ptr, ptr + len));
}}

/**
 * @param {{number}} a
 * @param {{number}} b
 * @returns {{number}}
 */
export function add(a, b) {{
    const ret = wasm.add(a, b);
    return ret >>> 0;
}}

function __wbg_get_imports() {{
    const import0 = {{
        __proto__: null,
        __wbg_log_{hash}: function(arg0, arg1) {{
            console.log(getStringFromWasm0(arg0, arg1));
        }},
    }};
    return {{ __proto__: null, "./notes_bg.js": import0 }};
}}

function __wbg_finalize_init(instance, module) {{
    wasm = instance.exports;
    __wbg_init.__wbindgen_wasm_module = module;
    wasm.__wbindgen_start();
    return wasm;
}}

async function __wbg_init(module_or_path) {{
    if (wasm !== undefined) return wasm;
    if (module_or_path === undefined) module_or_path = new URL('notes_bg.wasm', import.meta.url);
    const imports = __wbg_get_imports();
    const {{ instance, module }} = await WebAssembly.instantiateStreaming(fetch(module_or_path), imports);
    return __wbg_finalize_init(instance, module);
}}

export default __wbg_init;
"#
    )
}

/// Writes wasm-bindgen's output for `hash` into `dir`: `notes_bg.wasm` and `notes.js`.
pub fn bindgen_output(dir: &Path, hash: &str, extra: &str) -> (PathBuf, PathBuf) {
    (
        module(dir, "notes_bg.wasm", &bindgen(hash, extra)),
        write(dir, "notes.js", glue(hash).as_bytes()),
    )
}
