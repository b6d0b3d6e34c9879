//! Tests of [`super::read_interface`], each building its module from WAT at test time.

use super::*;

fn interface(wat: &str) -> Result<Interface> {
    read_interface(&wat::parse_str(wat).unwrap())
}

/// Each export as `name: type`, in section order.
fn exports_shown(found: &Interface) -> Vec<String> {
    let show = |e: &crate::interface::Export| format!("{}: {}", e.name, e.ty);
    found.exports.iter().map(show).collect()
}

#[test]
fn reads_exports_of_every_kind_with_their_types() {
    let found = interface(
        r#"(module
             (memory (export "memory") 1 16)
             (table (export "table") 2 funcref)
             (global (export "counter") (mut i64) (i64.const 0))
             (global (export "limit") f32 (f32.const 1))
             (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
             (func (export "pair") (result i32 f64) (i32.const 1) (f64.const 2))
             (func (export "nothing")))"#,
    )
    .unwrap();
    assert_eq!(
        exports_shown(&found),
        [
            "memory: memory 1..16 pages",
            "table: table funcref 2..",
            "counter: global mut i64",
            "limit: global f32",
            "add: function (i32, i32) -> i32",
            "pair: function () -> (i32, f64)",
            "nothing: function () -> ()",
        ]
    );
    assert_eq!(found.version, None);
}

#[test]
fn exported_function_indices_count_imported_functions_first() {
    let found = interface(
        r#"(module
             (import "env" "log" (func (param i32 i32)))
             (import "env" "mem" (memory 1))
             (import "env" "base" (global i32))
             (func (export "run") (param f64) (result f64) (local.get 0))
             (export "log_again" (func 0))
             (export "mem_again" (memory 0)))"#,
    )
    .unwrap();
    let imports: Vec<String> = found
        .imports
        .iter()
        .map(|i| format!("{}.{}: {}", i.module, i.name, i.ty))
        .collect();
    assert_eq!(
        imports,
        [
            "env.log: function (i32, i32) -> ()",
            "env.mem: memory 1.. pages",
            "env.base: global i32"
        ]
    );
    assert_eq!(
        found.export("run").unwrap().ty.to_string(),
        "function (f64) -> f64"
    );
    assert_eq!(
        found.export("log_again").unwrap().ty.to_string(),
        "function (i32, i32) -> ()"
    );
    assert_eq!(
        found.export("mem_again").unwrap().ty.to_string(),
        "memory 1.. pages"
    );
}

#[test]
fn bytes_that_are_not_wasm_fail_at_offset_zero() {
    let err = read_interface(b"<!doctype html>").unwrap_err();
    assert_eq!(err.code(), "INVALID_MODULE");
    assert!(err.to_string().contains("magic header"), "{err}");
    assert!(err.to_string().contains("byte offset 0"), "{err}");
}

#[test]
fn every_truncation_of_a_module_is_an_error_with_an_offset_not_a_panic() {
    let whole = wat::parse_str(
        r#"(module (memory (export "memory") 1) (func (export "f") (param i32) (result i32) (local.get 0)) (@custom "version" "1.0.0"))"#,
    )
    .unwrap();
    for cut in 0..whole.len() {
        match read_interface(&whole[..cut]) {
            Err(Error::InvalidModule {
                offset: Some(at), ..
            }) => assert!(at <= cut as u64, "cut {cut}: offset {at}"),
            // A cut that falls between sections leaves a shorter but well-formed module.
            Ok(_) => {}
            Err(other) => panic!("cut {cut}: {other}"),
        }
    }
    assert!(read_interface(&whole).is_ok());
}

#[test]
fn an_unknown_section_id_is_invalid_with_its_offset() {
    let mut bytes = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
    let contents = bytes.len() as u64 + 2;
    bytes.extend_from_slice(&[0x42, 0x01, 0x00]);
    let err = read_interface(&bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("invalid module: unknown section id 66, whose contents begin here (at byte offset {contents})")
    );
}

#[test]
fn globals_and_tables_with_every_kind_of_initializer_are_read() {
    let found = interface(
        r#"(module
             (type $s (struct (field i32)))
             (global $base (import "env" "base") i32)
             (global (export "sum") i32 (i32.add (global.get $base) (i32.mul (i32.const 2) (i32.const -3))))
             (global (export "wide") i64 (i64.sub (i64.const 0x7fffffffffffffff) (i64.const 1)))
             (global (export "f") f32 (f32.const 1.5))
             (global (export "d") f64 (f64.const -2.25))
             (global (export "v") v128 (v128.const i32x4 1 2 3 4))
             (global (export "null") externref (ref.null extern))
             (global (export "fn") funcref (ref.func $f))
             (global (export "obj") (ref null $s) (struct.new $s (i32.const 7)))
             (table (export "plain") 1 funcref)
             (table (export "filled") 2 funcref (ref.func $f))
             (func $f (export "f_") ))"#,
    )
    .unwrap();
    assert_eq!(
        exports_shown(&found),
        [
            "sum: global i32",
            "wide: global i64",
            "f: global f32",
            "d: global f64",
            "v: global v128",
            "null: global externref",
            "fn: global funcref",
            "obj: global (ref null (module 0))",
            "plain: table funcref 1..",
            "filled: table funcref 2..",
            "f_: function () -> ()",
        ]
    );
}

#[test]
fn an_instruction_that_is_not_constant_in_an_initializer_is_invalid_with_its_offset() {
    let mut bytes = wat::parse_str(r#"(module (global (export "g") i32 (i32.const 5)))"#).unwrap();
    let at = bytes.windows(2).position(|w| w == [0x41, 0x05]).unwrap();
    bytes[at] = 0x45; // i32.eqz
    let err = read_interface(&bytes).unwrap_err();
    assert_eq!(err.to_string(), format!("invalid module: instruction 0x45 cannot appear in a constant expression (at byte offset {at})"));
}

/// A component as jco's users have them: an imported WASI interface and function, exported
/// functions (among them the state contract) with a `version` section at its top level, and a
/// core module inside whose own custom section is not the component's.
const COMPONENT: &str = r#"(component
    (import "wasi:cli/environment@0.2.0" (instance))
    (import "log" (func $log (param "msg" string)))
    (core module $m
      (memory (export "memory") 1)
      (func (export "add") (param i32 i32) (result i32) local.get 1)
      (func (export "save") (result i32) i32.const 0)
      (func (export "load") (param i32 i32) (result i32) i32.const 0)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 8)
      (@custom "version" "9.9.9"))
    (core instance $i (instantiate $m))
    (alias core export $i "memory" (core memory $mem))
    (alias core export $i "realloc" (core func $realloc))
    (func (export "add") (param "key" string) (result u32)
      (canon lift (core func $i "add") (memory $mem) (realloc $realloc)))
    (func (export "save-state") (result (list u8))
      (canon lift (core func $i "save") (memory $mem)))
    (func (export "load-state") (param "state" (list u8)) (result (result (error string)))
      (canon lift (core func $i "load") (memory $mem) (realloc $realloc)))
    (@custom "version" "1.2.0"))"#;

#[test]
fn a_components_top_level_items_and_version_are_its_interface() {
    let found = interface(COMPONENT).unwrap();
    assert!(found.component);
    assert_eq!(found.version, Some("1.2.0".parse().unwrap()));
    let imports: Vec<_> = found
        .imports
        .iter()
        .map(|i| format!("{}.{}: {}", i.module, i.name, i.ty.kind_name()))
        .collect();
    assert_eq!(
        imports,
        ["wasi:cli/environment.: instance", "log.default: func"]
    );
    let names: Vec<_> = found.exports.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["add", "save-state", "load-state"]);
}

#[cfg(not(feature = "wit"))]
#[test]
fn without_wit_a_components_items_have_their_sort_and_no_type() {
    let found = interface(COMPONENT).unwrap();
    assert_eq!(exports_shown(&found)[0], "add: func");
}

#[cfg(feature = "wit")]
#[test]
fn with_wit_a_components_items_carry_their_wit_types() {
    let found = interface(COMPONENT).unwrap();
    assert_eq!(
        exports_shown(&found),
        [
            "add: func(key: string) -> u32",
            "save-state: func() -> list<u8>",
            "load-state: func(state: list<u8>) -> result<_, string>",
        ]
    );
    assert_eq!(found.imports[1].ty.to_string(), "func(msg: string)");
}

#[test]
fn a_component_with_a_truncated_nested_module_is_invalid() {
    let bytes = wat::parse_str(COMPONENT).unwrap();
    let err = read_interface(&bytes[..bytes.len() / 2]).unwrap_err();
    assert_eq!(err.code(), "INVALID_MODULE");
}
