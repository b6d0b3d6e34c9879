#![cfg(not(target_arch = "wasm32"))]
//! The TypeScript types apps compile against (src/api/types.d.ts) are written by hand; these
//! tests fail when they drift from the Rust types they mirror.

use std::collections::BTreeSet;

use wasm_hotswap::contract::Statefulness;
use wasm_hotswap::error::CODES;
use wasm_hotswap::report::{CommitStages, Restore, RollbackReport, Stages, SwapReport};

const TYPES: &str = include_str!("../src/api/types.d.ts");
const ERROR_RS: &str = include_str!("../src/error.rs");
const EXPORTS_JS: &str = include_str!("../src/js/exports.js");

/// The text between `start` and the first `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` not found"));
    let rest = &text[from + start.len()..];
    &rest[..rest
        .find(end)
        .unwrap_or_else(|| panic!("no `{end}` after `{start}`"))]
}

/// Every `"UPPER_CASE"` string literal in `text`.
fn codes_in(text: &str) -> BTreeSet<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map(String::from)
        .collect()
}

/// The field names of `export interface NAME { … }`, one line or many.
fn interface_fields(name: &str) -> BTreeSet<String> {
    let start = format!("export interface {name} {{");
    let from = TYPES
        .find(&start)
        .unwrap_or_else(|| panic!("`{start}` not found"))
        + start.len();
    let mut depth = 1;
    let end = TYPES[from..]
        .char_indices()
        .find_map(|(i, c)| {
            depth += match c {
                '{' => 1,
                '}' => -1,
                _ => 0,
            };
            (depth == 0).then_some(from + i)
        })
        .expect("unclosed interface");
    let mut body = String::new();
    let mut rest = &TYPES[from..end];
    // Without comments, which may contain `:` and `;`.
    while let Some(open) = rest.find("/*") {
        body.push_str(&rest[..open]);
        rest = &rest[open + rest[open..].find("*/").expect("unclosed comment") + 2..];
    }
    body.push_str(rest);
    // Members end at a `;` or a line break outside any nested type.
    let mut members = vec![String::new()];
    let mut nesting = 0;
    let mut previous = ' ';
    for c in body.chars() {
        match c {
            '>' if previous == '=' => {} // an arrow, not a closing `>`
            '{' | '<' | '(' | '[' => nesting += 1,
            '}' | '>' | ')' | ']' => nesting -= 1,
            ';' | '\n' if nesting == 0 => {
                members.push(String::new());
                continue;
            }
            _ => {}
        }
        members.last_mut().unwrap().push(c);
        previous = c;
    }
    members
        .iter()
        .filter_map(|member| member.trim().split([':', '?']).next())
        .filter(|field| !field.is_empty() && field.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(String::from)
        .collect()
}

/// The keys `value` serializes with.
fn json_keys(value: &impl serde::Serialize) -> BTreeSet<String> {
    match serde_json::to_value(value).unwrap() {
        serde_json::Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("expected an object, got {other}"),
    }
}

#[test]
fn every_error_code_is_in_the_typescript_union_and_nothing_else() {
    let union = codes_in(between(TYPES, "export type HotSwapErrorCode =", ";"));
    let listed: BTreeSet<String> = CODES.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        union, listed,
        "HotSwapErrorCode in src/api/types.d.ts vs error::CODES"
    );
}

#[test]
fn every_code_error_code_returns_is_listed_in_codes() {
    let returned = codes_in(between(ERROR_RS, "pub fn code(&self)", "\n    }\n"));
    let listed: BTreeSet<String> = CODES.iter().map(|c| c.to_string()).collect();
    assert_eq!(returned, listed, "Error::code() vs error::CODES");
}

#[test]
fn every_field_of_the_swap_report_is_in_its_typescript_type() {
    let report = SwapReport {
        from: String::new(),
        to: String::new(),
        from_version: None,
        to_version: None,
        guest: Statefulness::Stateless,
        bump: None,
        changes: Vec::new(),
        state_bytes: 0.0,
        stages: Stages::default(),
        commit: 0.0,
        commit_stages: CommitStages::default(),
        total: 0.0,
        queued: 0.0,
        rollback: Some(RollbackReport {
            restore: Restore::Snapshot,
            lost: Vec::new(),
        }),
    };
    assert_eq!(interface_fields("SwapReport"), json_keys(&report));
    assert_eq!(
        interface_fields("RollbackReport"),
        json_keys(report.rollback.as_ref().unwrap())
    );
    assert_eq!(
        interface_fields("SwapStages"),
        json_keys(&Stages::default())
    );
    assert_eq!(
        interface_fields("CommitStages"),
        json_keys(&CommitStages::default())
    );
}

#[test]
fn every_field_of_the_interface_and_its_metadata_is_in_their_typescript_types() {
    let interface = wasm_hotswap::interface::Interface::default();
    assert_eq!(interface_fields("ModuleInterface"), json_keys(&interface));
    assert_eq!(
        interface_fields("ModuleMetadata"),
        json_keys(&interface.metadata)
    );
}

/// The keys of the object literal `makeReport` returns in src/js/exports.js: top level, and
/// those of the nested `name: { … }` objects.
fn make_report_keys() -> (BTreeSet<String>, Vec<(String, BTreeSet<String>)>) {
    let body = between(EXPORTS_JS, "export function makeReport(", "\n}\n");
    let literal = between(body, "return {", "};");
    let keys = |text: &str| -> BTreeSet<String> {
        text.split(',')
            .map(|k| k.split(':').next().unwrap().trim().to_string())
            .filter(|k| !k.starts_with("//"))
            .filter(|k| !k.is_empty())
            .collect()
    };
    let mut nested = Vec::new();
    let mut flat = String::new();
    let mut rest = literal;
    while let Some(open) = rest.find('{') {
        let name_start = rest[..open].rfind([',', '\n']).map_or(0, |i| i + 1);
        flat.push_str(&rest[..name_start]);
        let name = rest[name_start..open]
            .trim()
            .trim_end_matches(':')
            .trim()
            .to_string();
        let close = rest[open..].find('}').unwrap() + open;
        nested.push((name.clone(), keys(&rest[open + 1..close])));
        flat.push_str(&name);
        rest = &rest[close + 1..];
    }
    flat.push_str(rest);
    (keys(&flat), nested)
}

#[test]
fn the_report_js_makes_has_every_field_of_the_swap_report() {
    let report = SwapReport {
        from: String::new(),
        to: String::new(),
        from_version: None,
        to_version: None,
        guest: Statefulness::Stateless,
        bump: None,
        changes: Vec::new(),
        state_bytes: 0.0,
        stages: Stages::default(),
        commit: 0.0,
        commit_stages: CommitStages::default(),
        total: 0.0,
        queued: 0.0,
        rollback: None,
    };
    let (top, nested) = make_report_keys();
    assert_eq!(top, json_keys(&report), "makeReport's keys vs SwapReport");
    let nested: std::collections::BTreeMap<_, _> = nested.into_iter().collect();
    assert_eq!(nested["stages"], json_keys(&Stages::default()));
    assert_eq!(nested["commitStages"], json_keys(&CommitStages::default()));
}

#[test]
fn every_persist_event_and_reason_is_in_the_typescript_types() {
    use wasm_hotswap::persist::Event;
    let reasons: BTreeSet<String> = Event::ALL.iter().map(|e| e.reason().to_string()).collect();
    let failure = between(TYPES, "export interface PersistFailure {", "message:");
    let union: BTreeSet<String> = between(failure, "reason:", ";")
        .split('|')
        .map(|r| r.trim().trim_matches('"').to_string())
        .collect();
    assert_eq!(union, reasons, "PersistFailure.reason vs persist::Event");
    let mut names: BTreeSet<String> = Event::ALL.iter().map(|e| e.name().to_string()).collect();
    names.insert("persisted".into());
    assert_eq!(interface_fields("PersistenceEventMap"), names);
    let options: BTreeSet<String> = ["key", "interval", "indexedDB"].map(String::from).into();
    assert_eq!(
        interface_fields("PersistOptions"),
        options,
        "persist.* read by api/state.rs"
    );
    let load: BTreeSet<String> = ["retain", "state", "persist"].map(String::from).into();
    assert_eq!(interface_fields("LoadOptions extends ModuleSource"), load);
}
