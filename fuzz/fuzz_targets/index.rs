//! Fuzzes the static registry's `index.json`: what any web server or CDN in front of a registry
//! can serve.
//!
//! The input is a wanted version or range (its first line) and the index's JSON (the rest).
//! What deserializes goes through `Index::validate` and `Entry::validate_cores`; a valid index
//! re-serialized and re-read is equal and still valid. The wanted text, when it parses, goes
//! through `Wanted::select` and `Index::resolve`, whose answer must be the highest entry it
//! matches.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_hotswap::registry::index::{Index, PackageName, Wanted};

const URL: &str = "https://registry.test/packages/x/index.json";

fuzz_target!(|data: &[u8]| {
    let (line, json) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&[][..], data),
    };
    let Ok(index) = serde_json::from_slice::<Index>(json) else {
        return;
    };
    let name = index
        .name
        .parse::<PackageName>()
        .unwrap_or_else(|_| "acme/counter".parse().unwrap());
    match index.validate(&name, URL) {
        Ok(()) => {
            for entry in &index.versions {
                assert!(entry.validate_cores().is_ok(), "{entry:?}");
            }
            let text = serde_json::to_string(&index).unwrap();
            let again: Index = serde_json::from_str(&text).unwrap();
            assert_eq!(again, index, "{text}");
            again.validate(&name, URL).unwrap();
        }
        Err(err) => {
            assert_eq!(err.code(), "INVALID_INDEX");
            let _ = err.to_string();
        }
    }
    if let Some(newest) = index.newest() {
        assert!(index
            .versions
            .iter()
            .all(|e| e.version.cmp_precedence(&newest.version).is_le()));
    }
    let Ok(text) = std::str::from_utf8(line) else {
        return;
    };
    for wanted in [
        Wanted::version(text, "version"),
        Wanted::range(text, "range"),
    ] {
        let Ok(wanted) = wanted else { continue };
        let _ = wanted.to_string();
        let matches = |e: &wasm_hotswap::registry::index::Entry| match &wanted {
            Wanted::Exact(v) => e.version == *v,
            Wanted::Range(req) => !e.yanked && req.matches(&e.version),
        };
        let selected = wanted.select(&index);
        match &selected {
            Some(entry) => {
                assert!(matches(entry));
                assert!(index
                    .versions
                    .iter()
                    .filter(|e| matches(e))
                    .all(|e| e.version.cmp_precedence(&entry.version).is_le()));
            }
            None => assert!(!index.versions.iter().any(matches)),
        }
        match index.resolve(&wanted) {
            Ok(entry) => assert_eq!(Some(entry), selected),
            Err(err) => {
                assert!(selected.is_none());
                assert_eq!(err.code(), "NO_MATCHING_VERSION");
                let _ = err.to_string();
            }
        }
    }
});
