//! Fuzzes the `WWW-Authenticate` value a registry answers 401 with.
//!
//! What `Challenge::parse` reads has a realm; its token URL is the realm followed by
//! percent-encoded query parameters only; and the challenge written back as a header (values
//! quoted, `"` and `\` escaped) reads back equal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_hotswap::registry::oci::Challenge;

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else {
        return;
    };
    let Some(challenge) = Challenge::parse(header) else {
        return;
    };
    assert!(!challenge.realm.is_empty());
    let url = challenge.token_url();
    let query = url
        .strip_prefix(challenge.realm.as_str())
        .expect("the token URL starts with the realm");
    assert!(
        query
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%?&=".contains(&b)),
        "{query}"
    );
    let mut again = format!("Bearer realm=\"{}\"", quote(&challenge.realm));
    for (key, value) in [("service", &challenge.service), ("scope", &challenge.scope)] {
        if let Some(value) = value {
            again.push_str(&format!(",{key}=\"{}\"", quote(value)));
        }
    }
    assert_eq!(
        Challenge::parse(&again).as_ref(),
        Some(&challenge),
        "{again}"
    );
});

fn quote(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}
