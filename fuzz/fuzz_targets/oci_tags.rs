//! Fuzzes a registry's tag list (`GET /v2/<name>/tags/list`) and the choice of a tag.
//!
//! The input is a wanted version or range (its first line) and the list's JSON (the rest),
//! read as the CLI reads it (`{"name": …, "tags": [strings]}`). `select_tag` must pick a tag
//! of the list that is that version, the highest the wanted text matches, and never above
//! `newest_tag`; `check_repository` reads the list's `name`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use semver::Version;
use wasm_hotswap::registry::index::Wanted;
use wasm_hotswap::registry::oci::{check_repository, newest_tag, select_tag};

fuzz_target!(|data: &[u8]| {
    let (line, json) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&[][..], data),
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    let repository = json
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("acme/counter");
    let _ = check_repository(repository, "name").map_err(|e| e.to_string());
    let Some(tags) = json.get("tags").and_then(|t| t.as_array()) else {
        return;
    };
    let Some(tags) = tags
        .iter()
        .map(|t| t.as_str().map(String::from))
        .collect::<Option<Vec<String>>>()
    else {
        return;
    };
    let newest = newest_tag(&tags);
    if let Some(newest) = &newest {
        assert!(tags
            .iter()
            .any(|t| Version::parse(t).ok().as_ref() == Some(newest)));
    }
    let Ok(text) = std::str::from_utf8(line) else {
        return;
    };
    for wanted in [
        Wanted::version(text, "version"),
        Wanted::range(text, "range"),
    ] {
        let Ok(wanted) = wanted else { continue };
        let matches = |v: &Version| match &wanted {
            Wanted::Exact(e) => v == e,
            Wanted::Range(req) => req.matches(v),
        };
        match select_tag(repository, &tags, &wanted) {
            Ok((version, tag)) => {
                assert!(tags.iter().any(|t| t == tag));
                assert_eq!(Version::parse(tag).unwrap(), version);
                assert!(matches(&version));
                let newest = newest.as_ref().expect("a tag was selected");
                assert!(version.cmp_precedence(newest).is_le());
                assert!(tags
                    .iter()
                    .filter_map(|t| Version::parse(t).ok())
                    .filter(|v| matches(v))
                    .all(|v| v.cmp_precedence(&version).is_le()));
            }
            Err(err) => {
                assert_eq!(err.code(), "NO_MATCHING_VERSION");
                assert!(!tags
                    .iter()
                    .filter_map(|t| Version::parse(t).ok())
                    .any(|v| matches(&v)));
            }
        }
    }
});
