//! Fuzzes the type texts a host writes in `expect.exports` (`increment: "(i32) -> i32"`).
//!
//! The input is one `name: type text` pair per line. What `Expectation::parse` reads writes
//! back as text that parses to the same types; each expected export is a problem against a
//! module that exports nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_hotswap::expect::{Expectation, Expected};
use wasm_hotswap::interface::Interface;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let pairs: Vec<(&str, &str)> = text
        .lines()
        .map(|line| line.split_once(':').unwrap_or((line, "")))
        .collect();
    let expectation = match Expectation::parse(pairs.iter().copied()) {
        Ok(expectation) => expectation,
        Err(err) => {
            assert_eq!(err.code(), "INVALID_OPTIONS");
            let _ = err.to_string();
            return;
        }
    };
    assert_eq!(expectation.exports.len(), pairs.len());
    let written: Vec<(String, String)> = expectation
        .exports
        .iter()
        .map(|(name, ty)| (name.clone(), write(ty)))
        .collect();
    let again = Expectation::parse(written.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .unwrap_or_else(|err| panic!("{written:?}: {err}"));
    assert_eq!(again, expectation);
    assert_eq!(
        expectation.problems(&Interface::default()).len(),
        pairs.len()
    );
});

fn write(ty: &Expected) -> String {
    match ty {
        Expected::Func(f) => f.to_string(),
        Expected::Global {
            content,
            mutable: true,
        } => format!("global mut {content}"),
        Expected::Global { content, .. } => format!("global {content}"),
        Expected::Memory => "memory".into(),
        Expected::Table => "table".into(),
    }
}
