//! The host-backed key-value store: state a guest keeps on the host instead of in its own
//! memory, so that a guest designed stateless keeps its data across swaps (and, with
//! `persist`, across reloads) without a `save_state`.
//!
//! A raw core module imports it from the namespace `hotswap:kv`:
//!
//! | import | type | does |
//! |---|---|---|
//! | `get` | `(key_ptr: i32, key_len: i32, out_ptr: i32, out_cap: i32) -> i32` | copies at most `out_cap` bytes of the value to `out_ptr`; returns the value's whole length (call again with a bigger buffer when it is above `out_cap`), or -1 when the key is absent |
//! | `set` | `(key_ptr: i32, key_len: i32, val_ptr: i32, val_len: i32)` | stores a copy of the value |
//! | `delete` | `(key_ptr: i32, key_len: i32) -> i32` | 1 when the key was there, else 0 |
//!
//! Keys and values are bytes in the guest's exported `memory` (which a guest importing the
//! store must export); a range outside it throws a `RangeError` into the guest's call. The
//! runtime supplies the namespace itself (the app's `imports` need not, and one the app gives
//! wins), keeps one store per `HotModule` for every version it swaps to, and gives each
//! instance its own copy of the functions, bound to that instance's memory: so a version being
//! prepared and the one serving never read each other's memory. A start function cannot use
//! the store (the memory is not known yet) and throws if it tries.
//!
//! The per-call half lives in JS (`KvStore` in `src/js/exports.js`): a call into the store is
//! on the guest's call path, where plain JS is fastest. Rust checks the import types, here.

use crate::error::{Error, Result};
use crate::interface::{ExternType, FuncType, Interface, ValType::I32};

#[cfg(target_arch = "wasm32")]
pub mod browser;

/// The import namespace of the store.
pub const NAMESPACE: &str = "hotswap:kv";

/// The store's functions and their types.
pub fn functions() -> [(&'static str, FuncType); 3] {
    [
        ("get", FuncType::new([I32, I32, I32, I32], [I32])),
        ("set", FuncType::new([I32, I32, I32, I32], [])),
        ("delete", FuncType::new([I32, I32], [I32])),
    ]
}

/// Whether a module with `interface` imports the store: a core module importing anything
/// from [`NAMESPACE`], whose imports [`check`] passed.
pub fn imports_store(interface: &Interface) -> bool {
    !interface.component && interface.imports.iter().any(|i| i.module == NAMESPACE)
}

/// Checks what a module imports from [`NAMESPACE`]:
///
/// - nothing => fine;
/// - `get`, `set`, `delete` with the types of [`functions`] => fine;
/// - any other name, another type, or no `memory` export => [`Error::InvalidGuest`] naming
///   the import (a JS function accepts any signature, so without this a guest declaring
///   `get` without its result would run and misread its data).
///
/// # Errors
/// As listed, one problem per line.
pub fn check(interface: &Interface) -> Result<()> {
    if !imports_store(interface) {
        return Ok(());
    }
    let known = functions();
    let mut problems = Vec::new();
    for import in interface.imports.iter().filter(|i| i.module == NAMESPACE) {
        let name = &import.name;
        match (known.iter().find(|(n, _)| n == name), &import.ty) {
            (Some((_, expected)), ExternType::Func(actual)) if actual == expected => {}
            (Some((_, expected)), other) => problems.push(format!(
                "import `{NAMESPACE}.{name}` is {other}, the store's is function {expected}"
            )),
            (None, _) => problems.push(format!(
                "import `{NAMESPACE}.{name}`: the store has only `get`, `set` and `delete`"
            )),
        }
    }
    if !matches!(
        interface.export("memory").map(|e| &e.ty),
        Some(ExternType::Memory { .. })
    ) {
        problems.push(format!(
            "a guest importing `{NAMESPACE}` must export `memory`, where keys and values lie"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidGuest {
            reason: problems.join("; "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interface(wat: &str) -> Interface {
        let bytes = wat::parse_str(format!("(module {wat})")).unwrap();
        crate::inspect::read_interface(&bytes).unwrap()
    }

    const GET: &str = r#"(import "hotswap:kv" "get" (func (param i32 i32 i32 i32) (result i32)))"#;
    const SET: &str = r#"(import "hotswap:kv" "set" (func (param i32 i32 i32 i32)))"#;
    const DELETE: &str = r#"(import "hotswap:kv" "delete" (func (param i32 i32) (result i32)))"#;
    const MEMORY: &str = r#"(memory (export "memory") 1)"#;

    #[test]
    fn the_store_imports_are_checked_by_name_and_type() {
        let cases: [(String, Option<&str>); 6] = [
            (MEMORY.to_string(), None),
            (format!("{GET} {SET} {DELETE} {MEMORY}"), None),
            (format!("{GET} {MEMORY}"), None),
            (
                format!(
                    r#"(import "hotswap:kv" "get" (func (param i32 i32) (result i32))) {MEMORY}"#
                ),
                Some("import `hotswap:kv.get` is function (i32, i32) -> i32"),
            ),
            (
                format!(r#"(import "hotswap:kv" "list" (func)) {MEMORY}"#),
                Some("import `hotswap:kv.list`: the store has only"),
            ),
            (GET.to_string(), Some("must export `memory`")),
        ];
        for (wat, expected) in cases {
            let i = interface(&wat);
            match (check(&i), expected) {
                (Ok(()), None) => {}
                (Err(Error::InvalidGuest { reason }), Some(text)) => {
                    assert!(reason.contains(text), "{wat}: {reason}")
                }
                (other, _) => panic!("{wat}: {other:?}, expected {expected:?}"),
            }
        }
        assert!(!imports_store(&interface(MEMORY)));
        assert!(imports_store(&interface(&format!("{SET} {MEMORY}"))));
    }
}
