//! Components built at test time: a core module in WAT that follows the canonical ABI for a
//! world, its WIT embedded (`embed_component_metadata`) and encoded as a component
//! (`ComponentEncoder`), as `wasm-tools component embed` + `component new` do.

use wit_component::{embed_component_metadata, ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

/// The component of the core module `wat` implementing the only world of `wit`.
pub fn build(wit: &str, wat: &str) -> Vec<u8> {
    let mut resolve = Resolve::default();
    let pkg = resolve.push_str("counter.wit", wit).unwrap();
    let world = resolve.select_world(&[pkg], None).unwrap();
    let mut module = wat::parse_str(wat).unwrap();
    embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8, false).unwrap();
    ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .unwrap()
        .encode()
        .unwrap()
}

/// The counter world: `add`, the state contract, and `extra` WIT exports.
pub fn wit(add: &str, extra: &str) -> String {
    format!(
        "package test:counter;

world counter {{
  export add: {add};
  export save-state: func() -> list<u8>;
  export load-state: func(state: list<u8>) -> result<_, string>;
  {extra}
}}"
    )
}

/// The core module for [`wit`]: `add` is `add_core` (its core signature), `extra` more
/// functions. Memory starts zeroed, so the return areas read as an empty list and `ok`.
pub fn wat(add_core: &str, extra: &str) -> String {
    format!(
        r#"(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $at i32)
    (local.set $at (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get 3)))
    (local.get $at))
  {add_core}
  (func (export "save-state") (result i32) (i32.const 16))
  (func (export "load-state") (param i32 i32) (result i32) (i32.const 32))
  {extra})"#
    )
}

/// 1.0.0: `add: func(key: string, by: u32) -> u32` and the state contract.
pub fn v1() -> Vec<u8> {
    build(
        &wit("func(key: string, by: u32) -> u32", ""),
        &wat(ADD_U32, ""),
    )
}

/// 1.1.0: v1 plus `remove: func(key: string) -> bool`, a compatible change.
pub fn v2() -> Vec<u8> {
    build(
        &wit(
            "func(key: string, by: u32) -> u32",
            "export remove: func(key: string) -> bool;",
        ),
        &wat(
            ADD_U32,
            r#"(func (export "remove") (param i32 i32) (result i32) (i32.const 1))"#,
        ),
    )
}

/// v1 with `add: func(key: string, by: u64) -> u64`: a breaking change.
pub fn breaking() -> Vec<u8> {
    build(
        &wit("func(key: string, by: u64) -> u64", ""),
        &wat(
            r#"(func (export "add") (param i32 i32 i64) (result i64) (local.get 2))"#,
            "",
        ),
    )
}

const ADD_U32: &str = r#"(func (export "add") (param i32 i32 i32) (result i32) (local.get 2))"#;

/// `bytes` with a top-level `version` section saying `version`, as wasm-metadata writes it.
pub fn versioned(bytes: &[u8], version: &str) -> Vec<u8> {
    hotswap_cli::metadata::with_version(
        std::path::Path::new("component"),
        bytes,
        &version.parse().unwrap(),
    )
    .unwrap()
}
