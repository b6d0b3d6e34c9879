//! AssemblyScript guests with their `asc --bindings raw` JS, in a real browser: the glue is
//! given as bytes with `kind: "assemblyscript"`, run with the verified module, and the state
//! moves through its glue-level `save_state()` / `load_state(Uint8Array)`. (The real asc
//! output is exercised end to end by tests/e2e/assemblyscript-glue.test.mjs.)
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The module: `add(i32) -> i32` (a `string` key at the core level, here a number), the
/// glue-level state functions `save_state() -> i32` and `load_state(i32)`, asc's runtime
/// exports. `extra` is spliced in; the state is one byte, the count.
fn module(version: &str, extra: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
             (import "env" "abort" (func (param i32 i32 i32 i32)))
             (memory (export "memory") 1)
             (global $count (mut i32) (i32.const 0))
             (func (export "add") (param i32) (result i32)
               (global.set $count (i32.add (global.get $count) (local.get 0))) (global.get $count))
             (func (export "get") (result i32) (global.get $count))
             (func (export "save_state") (result i32) (global.get $count))
             (func (export "load_state") (param i32) (global.set $count (local.get 0)))
             (func (export "__new") (param i32 i32) (result i32) (i32.const 0))
             {extra}
             (@custom "version" "{version}"))"#
    ))
    .expect("fixture WAT parses")
}

/// JS in the shape `asc --bindings raw` writes: `instantiate(module, imports)` instantiating the
/// module it is given, returning the lifted functions with the instance's exports as their
/// prototype. `load_state` runs `refuse` (JS statements) before it loads, to refuse a state.
fn bindings(refuse: &str) -> Vec<u8> {
    format!(
        r#"export async function instantiate(module, imports = {{}}) {{
  // asc adapts `env.abort` and passes the app's other namespaces (`host`) through.
  const adaptedImports = {{
    host: imports.host,
    env: Object.setPrototypeOf({{
      abort() {{ throw Error("abort"); }},
    }}, Object.assign(Object.create(globalThis), imports.env || {{}})),
  }};
  const {{ exports }} = await WebAssembly.instantiate(module, adaptedImports);
  const adaptedExports = Object.setPrototypeOf({{
    label() {{
      return `count ${{exports.get()}}`;
    }},
    save_state() {{
      return new Uint8Array([exports.save_state()]);
    }},
    load_state(state) {{
      if (state.length !== 1) throw Error(`not a counter state: ${{state.length}} bytes`);
      {refuse}
      exports.load_state(state[0]);
    }},
  }}, exports);
  return adaptedExports;
}}
"#
    )
    .into_bytes()
}

/// `{ bytes, digest, glue: { bytes, digest, kind: "assemblyscript" } }`.
fn options(module: &[u8], glue: &[u8]) -> JsValue {
    let glue = with(bytes_options(glue), "kind", "assemblyscript".into());
    with(bytes_options(module), "glue", glue)
}

fn label(m: &wasm_hotswap::HotModule) -> String {
    export(m, "label")
        .call0(&JsValue::UNDEFINED)
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
async fn the_bindings_lifted_and_plain_exports_serve_and_a_swap_carries_the_state_through_them() {
    let m = load(options(&module("1.0.0", ""), &bindings(""))).await;
    let add = export(&m, "add");
    assert_eq!(call(&add, &[5]), 5);
    assert_eq!(label(&m), "count 5");
    let mut names: Vec<String> = Object::keys(&m.exports())
        .iter()
        .map(|n| n.as_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["add", "get", "label"],
        "memory, state and __new hidden"
    );

    let v2 = module(
        "1.1.0",
        r#"(func (export "reset") (global.set $count (i32.const 0)))"#,
    );
    let report = swap_ok(&m, options(&v2, &bindings(""))).await;
    assert_eq!(
        field(&report, "guest").as_string().as_deref(),
        Some("stateful")
    );
    assert_eq!(field(&report, "stateBytes").as_f64(), Some(1.0));
    assert_eq!(
        call(&add, &[1]),
        6,
        "the captured stub reaches v2 with v1's count"
    );
    assert!(has_export(&m, "reset"));
}

#[wasm_bindgen_test]
async fn a_load_state_that_throws_is_state_load_failed_with_its_message_and_v1_serves_on() {
    let m = load(options(&module("1.0.0", ""), &bindings(""))).await;
    let add = export(&m, "add");
    call(&add, &[3]);
    let refusing = bindings(r#"throw Error("format 1 is too old");"#);
    let err = swap_err(&m, options(&module("1.1.0", ""), &refusing)).await;
    assert_eq!(code(&err), "STATE_LOAD_FAILED", "{}", message(&err));
    assert!(
        message(&err).contains("format 1 is too old"),
        "{}",
        message(&err)
    );
    let cause = Reflect::get(&err, &"cause".into()).unwrap();
    assert!(cause.is_instance_of::<js_sys::Error>());
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(call(&add, &[1]), 4);
}

#[wasm_bindgen_test]
async fn esm_bindings_and_a_raw_contract_module_with_assemblyscript_glue_are_invalid_guests() {
    let esm = b"async function instantiate(module, imports = {}) {}\nexport const { add } = await instantiate(await WebAssembly.compileStreaming(fetch(new URL('t.wasm', import.meta.url))));\n";
    let err = load_err(options(&module("1.0.0", ""), esm)).await;
    assert_eq!(code(&err), "INVALID_GUEST", "{}", message(&err));
    assert!(message(&err).contains("line 2"), "{}", message(&err));

    let raw = Counter::default().bytes();
    let err = load_err(options(&raw, &bindings(""))).await;
    assert_eq!(code(&err), "INVALID_GUEST", "{}", message(&err));
    assert!(
        message(&err).contains("without `glue`"),
        "{}",
        message(&err)
    );
}

#[wasm_bindgen_test]
async fn the_app_gives_the_modules_own_imports_but_not_ascs_env_abort() {
    let needs = wat::parse_str(
        r#"(module (import "host" "log" (func (param i32)))
             (func (export "get") (result i32) (i32.const 1)))"#,
    )
    .unwrap();
    // The gate checks the host's imports before the glue runs. (`env.abort`, which every
    // module here imports, is the bindings' own: no test gives it.)
    let err = load_err(options(&needs, &bindings(""))).await;
    assert_eq!(code(&err), "INCOMPATIBLE_INTERFACE", "{}", message(&err));
    assert!(message(&err).contains("host"), "{}", message(&err));
    let log: Function = Closure::<dyn Fn(i32)>::new(|_| {})
        .into_js_value()
        .unchecked_into();
    let host = Object::new();
    Reflect::set(&host, &"log".into(), &log).unwrap();
    let imports = Object::new();
    Reflect::set(&imports, &"host".into(), &host).unwrap();
    let m = load(with(
        options(&needs, &bindings("")),
        "imports",
        imports.into(),
    ))
    .await;
    assert_eq!(call(&export(&m, "get"), &[]), 1);
}

/// A registry at `https://registry.test/r/` listing `tally@1.0.0` with its glue of `kind`.
fn registry(kind: &str) -> JsValue {
    const ROOT: &str = "https://registry.test/r/";
    let (wasm, js) = (module("1.0.0", ""), bindings(""));
    let (digest, glue_digest) = (digest_of(&wasm), digest_of(&js));
    let index = format!(
        r#"{{"name":"tally","versions":[{{"version":"1.0.0","digest":"{digest}","size":{},"glue":{{"digest":"{glue_digest}","size":{},"kind":"{kind}"}}}}]}}"#,
        wasm.len(),
        js.len()
    );
    let files = StaticFiles::new(ROOT);
    files.put("packages/tally/index.json", index.into_bytes());
    files.put(&format!("blobs/sha256/{}", &digest[7..]), wasm);
    files.put(&format!("blobs/sha256/{}", &glue_digest[7..]), js);
    let fetch = files.fetch();
    let options = Object::new();
    for (key, value) in [("registry", ROOT), ("name", "tally"), ("range", "^1")] {
        Reflect::set(&options, &key.into(), &value.into()).unwrap();
    }
    with(options.into(), "fetch", fetch.into())
}

#[wasm_bindgen_test]
async fn an_index_entrys_glue_kind_assemblyscript_runs_the_glue_and_an_unknown_kind_is_an_invalid_index(
) {
    let m = load(registry("assemblyscript")).await;
    call(&export(&m, "add"), &[2]);
    assert_eq!(label(&m), "count 2");
    let err = load_err(registry("emscripten")).await;
    assert_eq!(code(&err), "INVALID_INDEX", "{}", message(&err));
    assert!(
        message(&err).contains("`glue.kind` is not `wasm-bindgen`, `jco` or `assemblyscript`"),
        "{}",
        message(&err)
    );
}
