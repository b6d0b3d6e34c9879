//! Fuzzes the inspect and diff path of the pure core: the bytes the runtime and the CLI read
//! from untrusted modules.
//!
//! The input is split in two at a point its first two bytes choose; each half goes through
//! `read_interface` (a core module or, since it reads them, a Component Model component), and
//! what parses goes through `guest::Kind::of` with each kind of glue and that kind's contract,
//! `diff` both ways and the semver functions. Any panic is a bug: every bad input must be an
//! `Error`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_hotswap::bump;
use wasm_hotswap::diff::{diff, Severity};
use wasm_hotswap::guest::Kind;
use wasm_hotswap::inspect::read_interface;
use wasm_hotswap::interface::Interface;
use wasm_hotswap::registry::index::GlueKind;

fuzz_target!(|data: &[u8]| {
    let (old, new) = split(data);
    let old = inspect(old);
    let new = inspect(new);
    if let (Some(old), Some(new)) = (&old, &new) {
        compare(old, new);
        compare(new, old);
    }
    // A lone module is diffed against the empty interface too: everything added or removed.
    for one in old.iter().chain(new.iter()) {
        compare(&Interface::default(), one);
        compare(one, &Interface::default());
    }
});

/// Two halves: the first two bytes (little-endian) pick the split point in the rest.
fn split(data: &[u8]) -> (&[u8], &[u8]) {
    match data {
        [a, b, rest @ ..] if !rest.is_empty() => {
            let at = usize::from(u16::from_le_bytes([*a, *b])) % (rest.len() + 1);
            rest.split_at(at)
        }
        _ => (data, &[]),
    }
}

fn inspect(bytes: &[u8]) -> Option<Interface> {
    match read_interface(bytes) {
        Ok(interface) => {
            let glues = [
                None,
                Some(GlueKind::WasmBindgen),
                Some(GlueKind::Jco),
                Some(GlueKind::AssemblyScript),
            ];
            for glue in glues {
                if let Ok(kind) = Kind::of(&interface, glue) {
                    let _ = kind.contract(&interface).map_err(|e| e.to_string());
                    let _ = kind.compared(&interface);
                    let _ = kind.host_imports(&interface).count();
                }
            }
            for export in &interface.exports {
                let _ = export.ty.to_string();
            }
            Some(interface)
        }
        Err(err) => {
            let _ = (err.code(), err.to_string());
            None
        }
    }
}

fn compare(old: &Interface, new: &Interface) {
    let change = diff(old, new);
    let severity = change.severity();
    for c in &change.changes {
        let _ = c.to_string();
    }
    assert_eq!(
        change.of(Severity::Breaking).count()
            + change.of(Severity::Additive).count()
            + change.of(Severity::None).count(),
        change.changes.len()
    );
    let _ = bump::required(severity);
    if let Some(from) = &old.version {
        if let Some(next) = bump::smallest_allowed(from, severity) {
            assert!(
                bump::check(from, &next, severity).is_ok(),
                "{from} => {next} must satisfy its own {severity} change"
            );
        }
        if let Some(to) = &new.version {
            let _ = bump::declared(from, to);
            let _ = bump::check(from, to, severity);
        }
    }
}
