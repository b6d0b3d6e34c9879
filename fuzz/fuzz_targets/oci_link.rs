//! Fuzzes the `Link` header of a paged tag list and the URLs it and `Location` resolve to.
//!
//! The input is the request URL (its first line) and the `Link` value (the rest).
//! `next_link`'s target is the text between a `<` and a `>` of the header; `resolve_url`
//! keeps an absolute target as it is; `base_url` never ends with `/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_hotswap::registry::oci::{base_url, next_link, resolve_url};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (request, header) = text.split_once('\n').unwrap_or(("", text));
    assert!(!base_url(request).ends_with('/'));
    let _ = resolve_url(request, header);
    let Some(target) = next_link(header) else {
        return;
    };
    assert!(header.contains(&format!("<{target}>")), "{target}");
    let resolved = resolve_url(request, target);
    if target.starts_with("http://") || target.starts_with("https://") {
        assert_eq!(resolved, target);
    } else {
        assert!(resolved.ends_with(target), "{resolved}");
    }
});
