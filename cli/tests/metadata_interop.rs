//! The version section as `wasm-tools metadata add --version` writes it (through the
//! wasm-metadata crate, which wasm-tools runs) is read by the core and by `hotswap inspect`;
//! and what `hotswap publish` writes is read back by wasm-metadata.

mod common;

use common::{counter, hotswap, publish, wasm, write};
use wasm_hotswap::inspect::read_interface;
use wasm_metadata::{AddMetadata, AddMetadataField, Payload};

#[test]
fn a_version_section_written_like_wasm_tools_does_is_read_by_the_core_and_inspect() {
    let original = wasm(&counter(""));
    let mut add = AddMetadata::default();
    add.version = AddMetadataField::Set(wasm_metadata::Version::new("1.2.3"));
    add.description = AddMetadataField::Set(wasm_metadata::Description::new("a counter"));
    add.language = vec![("Rust".into(), "1.95.0".into())];
    let bytes = add.to_wasm(&original).unwrap();

    assert_eq!(
        read_interface(&bytes).unwrap().version.unwrap().to_string(),
        "1.2.3"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "m.wasm", &bytes);
    let run = hotswap(&["inspect".as_ref(), "--json".as_ref(), path.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["version"], "1.2.3");
    assert_eq!(json["metadata"]["description"], "a counter");
    assert_eq!(
        json["metadata"]["producers"],
        serde_json::json!([{"field": "language", "values": [["Rust", "1.95.0"]]}])
    );
}

#[test]
fn the_version_section_publish_writes_is_read_by_wasm_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let path = write(dir.path(), "m.wasm", &wasm(&counter("")));
    let run = publish(&path, "counter", "0.5.0", &reg);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let digest = run.json()["digest"].as_str().unwrap().to_string();
    let blob = reg
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"));
    let stored = std::fs::read(blob).unwrap();
    let payload = Payload::from_binary(&stored).unwrap();
    let version = payload.metadata().version.as_ref().unwrap();
    assert_eq!(version.to_string(), "0.5.0");
}
