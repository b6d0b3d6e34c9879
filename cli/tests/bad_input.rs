//! Malformed modules: each is exit 2 with an error that has its byte offset, never a panic.

mod common;

use common::{hotswap, wasm, write};
use wasm_encoder::{CustomSection, Module};

const HEADER: &[u8] = b"\0asm\x01\0\0\0";

/// Inspects `bytes` in both modes; returns the JSON error's message and offset.
fn refused(bytes: &[u8]) -> (String, u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.wasm", bytes);
    let human = hotswap(&["inspect".as_ref(), path.as_os_str()]);
    assert_eq!(human.code, 2, "{}", human.stderr);
    assert!(
        human.stderr.contains("error[INVALID_MODULE]"),
        "{}",
        human.stderr
    );
    assert!(human.stderr.contains("byte offset"), "{}", human.stderr);
    assert!(human.stdout.is_empty());

    let json = hotswap(&["inspect".as_ref(), "--json".as_ref(), path.as_os_str()]);
    assert_eq!(json.code, 2);
    let error = &json.json()["error"];
    assert_eq!(error["code"], "INVALID_MODULE");
    let offset = error["offset"].as_u64().expect("the error has an offset");
    assert!(
        offset <= bytes.len() as u64,
        "offset {offset} within {} bytes",
        bytes.len()
    );
    (error["message"].as_str().unwrap().to_string(), offset)
}

fn sample() -> Vec<u8> {
    wasm(
        r#"(module (memory (export "memory") 1)
             (func (export "zzqx") (param i32) (result i32) (local.get 0))
             (@custom "version" "1.0.0"))"#,
    )
}

#[test]
fn truncated_modules_are_invalid_at_an_offset() {
    let whole = sample();
    let mut refusals = 0;
    for cut in [0, 4, 9, 12, whole.len() / 2, whole.len() - 1] {
        let bytes = &whole[..cut];
        if wasm_hotswap::inspect::read_interface(bytes).is_ok() {
            continue; // a cut between two sections is a shorter, valid module
        }
        refused(bytes);
        refusals += 1;
    }
    assert!(refusals >= 5, "only {refusals} cuts were invalid");
}

#[test]
fn an_invalid_leb128_is_invalid_at_its_offset() {
    // Type section whose size is a LEB128 u32 with a continuation bit on its fifth byte.
    let mut bytes = HEADER.to_vec();
    bytes.extend([0x01, 0x80, 0x80, 0x80, 0x80, 0x7f]);
    let (message, offset) = refused(&bytes);
    assert!(message.contains("invalid var_u32"), "{message}");
    assert_eq!(offset, 13, "the fifth byte of the LEB128: {message}");
}

#[test]
fn a_section_longer_than_the_module_is_invalid() {
    let mut bytes = HEADER.to_vec();
    bytes.extend([0x01, 0x7f, 0x01, 0x60, 0x00, 0x00]);
    let (message, offset) = refused(&bytes);
    assert!(message.contains("unexpected end-of-file"), "{message}");
    assert_eq!(offset, 10, "where the section's contents start: {message}");
}

#[test]
fn a_non_utf8_export_name_is_invalid_at_the_name() {
    let mut bytes = sample();
    let at = bytes.windows(4).position(|w| w == b"zzqx").unwrap();
    bytes[at..at + 4].copy_from_slice(&[0xff, 0xfe, 0xfd, 0xfc]);
    let (message, offset) = refused(&bytes);
    assert!(message.contains("malformed UTF-8"), "{message}");
    assert!(
        (at..at + 4).contains(&(offset as usize)),
        "in the name at {at}: {message}"
    );
}

#[test]
fn a_duplicated_version_section_is_invalid_at_the_second() {
    let mut module = Module::new();
    for version in ["1.0.0", "1.0.1"] {
        module.section(&CustomSection {
            name: "version".into(),
            data: version.as_bytes().into(),
        });
    }
    let bytes = module.finish();
    let (message, offset) = refused(&bytes);
    assert!(
        message.contains("section `version` appears twice"),
        "{message}"
    );
    // Offsets are those of the sections' contents: header 8, id and size 2, then name
    // length 1, `version` 7 and `1.0.0` 5 before the second section's id and size.
    assert!(message.contains("first at byte offset 10"), "{message}");
    assert_eq!(offset, 10 + 13 + 2, "{message}");
}

#[test]
fn an_unknown_section_id_is_invalid_at_its_offset() {
    let mut bytes = sample();
    let at = bytes.len();
    bytes.extend([0x2a, 0x00]);
    let (message, offset) = refused(&bytes);
    assert!(message.contains("unknown section id 42"), "{message}");
    assert_eq!(
        offset,
        at as u64 + 2,
        "its contents follow the id and size: {message}"
    );
}

#[test]
fn a_malformed_version_section_is_invalid_naming_the_section() {
    let (message, _) = refused(&wasm(r#"(module (@custom "version" "v1"))"#));
    assert!(
        message.contains("section `version` holds `v1`"),
        "{message}"
    );
}

#[test]
fn embedding_wit_into_a_component_is_refused_with_its_own_code() {
    // inspect, diff and publish read components (tests/component.rs); embed-wit writes a
    // core module's `component-type` section, which a component has no place for.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "c.wasm", b"\0asm\x0d\0\x01\0");
    let wit = write(
        dir.path(),
        "w.wit",
        b"package a:b; world w { export f: func(); }",
    );
    let out = dir.path().join("out.wasm");
    let run = hotswap(&[
        "--json".as_ref(),
        "embed-wit".as_ref(),
        path.as_os_str(),
        "--wit".as_ref(),
        wit.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "UNSUPPORTED_COMPONENT");
}
