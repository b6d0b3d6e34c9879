//! AssemblyScript guests: `publish --glue` with the JS `asc --bindings raw` wrote, recognized
//! by its text, and the refusals around it.

mod common;

use std::path::Path;

use common::{counter, hotswap, module, publish_args, write, To, BINDINGS, TALLY};
use serde_json::Value;

fn publish(module: &Path, glue: &Path, registry: &Path) -> common::Run {
    publish_as(module, glue, "1.0.0", registry)
}

fn publish_as(module: &Path, glue: &Path, version: &str, registry: &Path) -> common::Run {
    let mut args = publish_args(module, "tally", version, To::Registry(registry));
    args.extend(["--glue".into(), glue.into(), "--json".into()]);
    hotswap(&args)
}

#[test]
fn asc_raw_bindings_are_published_as_assemblyscript_glue_without_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let wasm = module(dir.path(), "tally.wasm", TALLY);
    let js = write(dir.path(), "tally.js", BINDINGS.as_bytes());
    let run = publish(&wasm, &js, &reg);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["glue"]["kind"], "assemblyscript");
    let text = std::fs::read(reg.join("packages/tally/index.json")).unwrap();
    let index: Value = serde_json::from_slice(&text).unwrap();
    let glue = &index["versions"][0]["glue"];
    assert_eq!(glue["kind"], "assemblyscript");
    assert_eq!(glue["size"], BINDINGS.len());
}

#[test]
fn a_raw_contract_module_with_asc_bindings_is_refused_saying_publish_it_without_glue() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let wasm = module(dir.path(), "counter.wasm", &counter(""));
    let js = write(dir.path(), "counter.js", BINDINGS.as_bytes());
    let run = publish(&wasm, &js, &reg);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let error = &run.json()["error"];
    assert_eq!(error["code"], "INVALID_GUEST");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("alloc_state"), "{message}");
    assert!(message.contains("without `glue`"), "{message}");
    assert!(!reg.join("blobs").exists(), "nothing is stored");
}

#[test]
fn other_js_with_a_raw_module_is_still_refused_naming_the_asc_bindings() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let wasm = module(dir.path(), "tally.wasm", TALLY);
    let js = write(dir.path(), "esm.js", b"export const add = () => 1;\n");
    let run = publish(&wasm, &js, &reg);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let message = run.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("not a wasm-bindgen module"), "{message}");
    assert!(
        message.contains("export async function instantiate(module, imports"),
        "{message}"
    );
}

#[test]
fn versions_are_compared_by_what_the_bindings_give_the_app_not_ascs_runtime_exports() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let js = write(dir.path(), "tally.js", BINDINGS.as_bytes());
    let v1 = module(dir.path(), "v1.wasm", TALLY);
    assert_eq!(publish_as(&v1, &js, "1.0.0", &reg).code, 0);
    // asc's own runtime export gone (another --exportRuntime set): no interface change.
    let patch = TALLY.replace(
        r#"(func (export "__new") (param i32 i32) (result i32) i32.const 0)"#,
        "",
    );
    let patch = module(dir.path(), "v101.wasm", &patch);
    let run = publish_as(&patch, &js, "1.0.1", &reg);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["previous"]["severity"], "none");
    // An app export gone in a minor: refused, naming it.
    let minor = TALLY.replace(
        r#"(func (export "add") (param i32) (result i32) i32.const 1)"#,
        "",
    );
    let minor = module(dir.path(), "v110.wasm", &minor);
    let run = publish_as(&minor, &js, "1.1.0", &reg);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let error = &run.json()["error"];
    assert_eq!(error["code"], "SEMVER_VIOLATION");
    assert!(error["items"].to_string().contains("`add`"), "{error}");
}

#[test]
fn inspect_with_asc_bindings_shows_an_assemblyscript_guest_as_publish_would_publish_it() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = module(dir.path(), "tally.wasm", TALLY);
    let js = write(dir.path(), "tally.js", BINDINGS.as_bytes());
    // Alone, nothing in the module says AssemblyScript: a raw module, by the raw ABI.
    let alone = hotswap(&["inspect".as_ref(), wasm.as_os_str(), "--json".as_ref()]).json();
    assert_eq!(alone["kind"], "raw");
    assert_eq!(alone["glue"], Value::Null);
    assert_eq!(alone["guest"]["kind"], "invalid");

    let run = hotswap(&[
        "inspect".as_ref(),
        wasm.as_os_str(),
        "--glue".as_ref(),
        js.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["kind"], "assemblyscript");
    assert_eq!(json["guest"]["kind"], "stateful", "{json}");
    assert_eq!(json["glue"]["kind"], "assemblyscript");
    assert_eq!(json["glue"]["size"], BINDINGS.len());
    let text = hotswap(&[
        "inspect".as_ref(),
        wasm.as_os_str(),
        "--glue".as_ref(),
        js.as_os_str(),
    ]);
    assert!(
        text.stdout.contains("AssemblyScript guest"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("asc --bindings raw"),
        "{}",
        text.stdout
    );
}
