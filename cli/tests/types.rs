//! `hotswap types`: the `.d.ts` of a module's exports and the `expect` object beside it.

mod common;

use common::*;
use wasm_hotswap::expect::Expectation;

const COUNTER: &str = r#"(module
    (memory (export "memory") 1)
    (global $count (mut i32) (i32.const 0))
    (global (export "limit") (mut i64) (i64.const 5))
    (func (export "increment") (param i32) (result i32) (global.get $count))
    (func (export "pair") (param i64 f64) (result i32 i64) (i32.const 1) (i64.const 2))
    (func (export "odd-name"))
    (func (export "save_state") (result i32) (i32.const 0))
    (func (export "alloc_state") (param i32) (result i32) (i32.const 0))
    (func (export "load_state") (param i32 i32) (result i32) (i32.const 0))
    (@custom "version" "1.2.0"))"#;

#[test]
fn types_of_a_raw_module_are_its_exports_by_their_wasm_signatures_without_the_state_functions() {
    let dir = tempfile::tempdir().unwrap();
    let module = write(dir.path(), "counter.wasm", &wasm(COUNTER));
    let run = hotswap(&["types".as_ref(), module.as_os_str(), "--json".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["interface"], "CounterExports");
    let dts = std::fs::read_to_string(dir.path().join("counter.types.d.ts")).unwrap();
    assert!(dts.contains("export interface CounterExports {"), "{dts}");
    assert!(dts.contains("  increment(a0: number): number;"), "{dts}");
    assert!(
        dts.contains("  pair(a0: bigint, a1: number): [number, bigint];"),
        "{dts}"
    );
    assert!(
        dts.contains("  readonly memory: WebAssembly.Memory;"),
        "{dts}"
    );
    assert!(
        dts.contains("  readonly limit: WebAssembly.Global;"),
        "{dts}"
    );
    assert!(dts.contains(r#"  "odd-name"(): void;"#), "{dts}");
    assert!(
        !dts.contains("save_state") && !dts.contains("load_state"),
        "{dts}"
    );
    assert!(dts.contains("from counter.wasm 1.2.0 (sha256:"), "{dts}");
}

#[test]
fn the_expect_object_written_beside_the_types_is_one_the_runtime_reads() {
    let dir = tempfile::tempdir().unwrap();
    let module = write(dir.path(), "counter.wasm", &wasm(COUNTER));
    let out = dir.path().join("types");
    let run = hotswap(&[
        "types".as_ref(),
        module.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let js = std::fs::read_to_string(out.join("counter.types.js")).unwrap();
    let object = js
        .split("export const expect = ")
        .nth(1)
        .unwrap()
        .trim_end()
        .trim_end_matches(';');
    // The object literal's entries, read back as JSON once its trailing commas are gone.
    let json = object
        .replace(",\n  }", "\n  }")
        .replace(",\n}", "\n}")
        .replace("exports:", "\"exports\":");
    let parsed: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let exports = parsed["exports"].as_object().unwrap();
    assert_eq!(exports["increment"], "(i32) -> i32");
    assert_eq!(exports["pair"], "(i64, f64) -> (i32, i64)");
    assert_eq!(exports["limit"], "global mut i64");
    assert_eq!(exports["memory"], "memory");
    let pairs = exports
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str().unwrap()));
    Expectation::parse(pairs).expect("the runtime reads every type text");
}

#[test]
fn a_wasm_bindgen_module_needs_its_glue_and_then_takes_the_types_wasm_bindgen_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let module = write(
        dir.path(),
        "notes_bg.wasm",
        &wasm(
            r#"(module (import "./notes_bg.js" "__wbg_log_1" (func (param i32 i32)))
            (memory (export "memory") 1)
            (func (export "add") (param i32 i32) (result i32) i32.const 1)
            (func (export "__wbindgen_start")))"#,
        ),
    );
    let run = hotswap(&["types".as_ref(), module.as_os_str(), "--json".as_ref()]);
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["error"]["code"], "INVALID_GUEST");
    assert!(run.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("--glue"));

    write(
        dir.path(),
        "notes.js",
        b"export function add(note) {}\nexport function initSync() {}\n",
    );
    write(
        dir.path(),
        "notes.d.ts",
        b"export function add(note: string): number;\nexport class Counter {\n  free(): void;\n}\nexport function initSync(module: any): any;\nexport function save_state(): Uint8Array;\n",
    );
    let glue = dir.path().join("notes.js");
    let run = hotswap(&[
        "types".as_ref(),
        module.as_os_str(),
        "--glue".as_ref(),
        glue.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dts = std::fs::read_to_string(dir.path().join("notes.types.d.ts")).unwrap();
    assert!(
        std::fs::read_to_string(dir.path().join("notes.d.ts"))
            .unwrap()
            .starts_with("export function add"),
        "wasm-bindgen's own .d.ts is left as it was"
    );
    assert!(dts.contains("export interface NotesExports {"), "{dts}");
    assert!(dts.contains("  add(note: string): number;"), "{dts}");
    assert!(
        dts.contains(r#"  readonly Counter: typeof import("./notes.js").Counter;"#),
        "{dts}"
    );
    assert!(
        !dts.contains("initSync") && !dts.contains("save_state"),
        "{dts}"
    );
}
