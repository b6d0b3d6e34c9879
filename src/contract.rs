//! The guest contract: which exports make a guest stateful, and their exact signatures.
//!
//! A stateful guest exports all of `memory`, `save_state: () -> i32`,
//! `alloc_state: (i32) -> i32` and `load_state: (i32, i32) -> i32`. A guest exporting none of
//! the three functions is stateless; one exporting some but not all is invalid.

use crate::error::{Error, Result};
use crate::interface::{ExternType, FuncType, Interface, ValType};

/// `save_state: () -> i32`, a pointer to 8 bytes: u32 LE pointer, u32 LE length.
pub const SAVE_STATE: &str = "save_state";
/// `alloc_state: (len: i32) -> i32`, a pointer to `len` writable bytes, 0 if it cannot.
pub const ALLOC_STATE: &str = "alloc_state";
/// `load_state: (ptr: i32, len: i32) -> i32`, 0 on success.
pub const LOAD_STATE: &str = "load_state";
/// The memory the state pointers refer to.
pub const MEMORY: &str = "memory";

/// The three state functions, in the order the commit calls them.
pub const STATE_FUNCTIONS: [&str; 3] = [SAVE_STATE, ALLOC_STATE, LOAD_STATE];

/// Whether a guest carries state across swaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Statefulness {
    /// Exports none of the state functions: a swap moves no state.
    Stateless,
    /// Exports all of them and `memory`: a swap moves its state.
    Stateful,
}

fn expected_signature(name: &str) -> FuncType {
    use ValType::I32;
    match name {
        SAVE_STATE => FuncType::new([], [I32]),
        ALLOC_STATE => FuncType::new([I32], [I32]),
        _ => FuncType::new([I32, I32], [I32]),
    }
}

/// Classifies a guest by its exports.
///
/// - exports none of `save_state`, `alloc_state`, `load_state` => [`Statefulness::Stateless`]
/// - all three with the contract's signatures, and a 32-bit `memory` => [`Statefulness::Stateful`]
/// - some but not all; a wrong signature; no `memory`, or a 64-bit one => [`Error::InvalidGuest`]
///
/// # Errors
/// [`Error::InvalidGuest`] naming every broken part of the contract.
pub fn statefulness(interface: &Interface) -> Result<Statefulness> {
    let present: Vec<&str> = STATE_FUNCTIONS
        .into_iter()
        .filter(|name| interface.export(name).is_some())
        .collect();
    if present.is_empty() {
        return Ok(Statefulness::Stateless);
    }
    let mut problems = Vec::new();
    for name in STATE_FUNCTIONS {
        let expected = expected_signature(name);
        match interface.export(name).map(|e| &e.ty) {
            None => problems.push(format!(
                "it exports `{}` but not `{name}`",
                present.join("`, `")
            )),
            Some(ExternType::Func(actual)) if *actual == expected => {}
            Some(other) => problems.push(format!(
                "export `{name}` is {other}, the contract says function {expected}"
            )),
        }
    }
    match interface.export(MEMORY).map(|e| &e.ty) {
        Some(ExternType::Memory {
            memory64: false, ..
        }) => {}
        Some(ExternType::Memory { memory64: true, .. }) => problems.push(format!(
            "export `{MEMORY}` is a 64-bit memory; state pointers are 32-bit"
        )),
        Some(other) => problems.push(format!("export `{MEMORY}` is {other}, not a memory")),
        None => problems.push(format!("a stateful guest must export `{MEMORY}`")),
    }
    if problems.is_empty() {
        Ok(Statefulness::Stateful)
    } else {
        Err(Error::InvalidGuest {
            reason: problems.join("; "),
        })
    }
}

/// Decodes the 8 bytes `save_state` points at: a u32 LE pointer, then a u32 LE length.
pub fn decode_state_header(header: [u8; 8]) -> (u32, u32) {
    let [p0, p1, p2, p3, l0, l1, l2, l3] = header;
    (
        u32::from_le_bytes([p0, p1, p2, p3]),
        u32::from_le_bytes([l0, l1, l2, l3]),
    )
}

/// Checks that `len` bytes at `ptr` lie inside a memory of `memory_len` bytes.
///
/// # Errors
/// A description naming the range and the memory size, for the caller's error variant.
pub fn check_range(
    what: &str,
    ptr: u32,
    len: u32,
    memory_len: u64,
) -> std::result::Result<(), String> {
    let end = ptr as u64 + len as u64;
    if end > memory_len {
        Err(format!(
            "{what} spans bytes {ptr}..{end}, past the end of memory ({memory_len} bytes)"
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::read_interface;

    const STATE: &str = r#"
        (func (export "save_state") (result i32) (i32.const 0))
        (func (export "alloc_state") (param i32) (result i32) (i32.const 0))
        (func (export "load_state") (param i32 i32) (result i32) (i32.const 0))"#;

    fn kind(body: &str) -> Result<Statefulness> {
        statefulness(&read_interface(&wat::parse_str(format!("(module {body})")).unwrap()).unwrap())
    }

    #[test]
    fn statefulness_follows_the_contract() {
        assert_eq!(
            kind(r#"(memory (export "memory") 1)"#).unwrap(),
            Statefulness::Stateless
        );
        assert_eq!(kind("").unwrap(), Statefulness::Stateless);
        assert_eq!(
            kind(&format!(r#"(memory (export "memory") 1) {STATE}"#)).unwrap(),
            Statefulness::Stateful
        );

        let cases = [
            (STATE.to_string(), "must export `memory`"),
            (
                r#"(memory (export "memory") 1) (func (export "save_state") (result i32) (i32.const 0))"#.to_string(),
                "it exports `save_state` but not `alloc_state`",
            ),
            (
                format!(r#"(memory (export "memory") 1) {}"#, STATE.replace("(param i32) (result i32)", "(param i64) (result i32)")),
                "export `alloc_state` is function (i64) -> i32, the contract says function (i32) -> i32",
            ),
            (
                format!(r#"(memory (export "memory") i64 1) {STATE}"#),
                "64-bit memory",
            ),
            (
                format!(r#"(global (export "memory") i32 (i32.const 0)) {STATE}"#),
                "export `memory` is global i32, not a memory",
            ),
        ];
        for (body, expected) in cases {
            let err = kind(&body).unwrap_err();
            assert_eq!(err.code(), "INVALID_GUEST");
            assert!(err.to_string().contains(expected), "{body}\n=> {err}");
        }
    }

    #[test]
    fn state_header_is_pointer_then_length_little_endian() {
        assert_eq!(decode_state_header([0x10, 0, 0, 0, 4, 1, 0, 0]), (16, 260));
        assert_eq!(decode_state_header([0xff; 8]), (u32::MAX, u32::MAX));
    }

    #[test]
    fn ranges_past_the_end_of_memory_are_refused_without_overflow() {
        assert!(check_range("state", 0, 65536, 65536).is_ok());
        assert!(check_range("state", 65535, 1, 65536).is_ok());
        assert_eq!(
            check_range("state", 65535, 2, 65536).unwrap_err(),
            "state spans bytes 65535..65537, past the end of memory (65536 bytes)"
        );
        assert!(check_range("state", u32::MAX, u32::MAX, u64::from(u32::MAX)).is_err());
    }
}
